package io.updraft.healthmanager.state;

import io.updraft.common.bus.Bus;
import io.updraft.common.protocol.Subjects;
import io.updraft.common.protocol.health.BulkAppsReply;
import io.updraft.common.protocol.health.BulkAppsReply.BulkApp;
import io.updraft.common.protocol.health.BulkAppsRequest;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Reads desired state from the controllers, page by page, on
 * {@code cloudcontroller.bulk.apps[.<partition>]}. A failed page fails the whole scan (the
 * previous table stays), so a controller outage never looks like every app was deleted.
 */
public final class DesiredStateReader {

  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  private final Bus bus;
  private final String subject;
  private final int batchSize;

  public DesiredStateReader(Bus bus, String partition, int batchSize) {
    this.bus = bus;
    this.subject = Subjects.bulkApps(partition);
    this.batchSize = batchSize;
  }

  /** Every app, by id. */
  public Future<Map<String, BulkApp>> scan() {
    Promise<Map<String, BulkApp>> done = Promise.promise();
    page(null, new HashMap<>(), done);
    return done.future();
  }

  private void page(BulkAppsRequest.BulkToken after, Map<String, BulkApp> into,
      Promise<Map<String, BulkApp>> done) {
    bus.request(subject, BulkAppsRequest.page(batchSize, after), BulkAppsReply.class, TIMEOUT)
        .onFailure(done::fail)
        .onSuccess(reply -> {
          if (reply.results().isEmpty() || reply.bulkToken() == null) {
            into.putAll(reply.results());
            done.complete(into);
            return;
          }
          into.putAll(reply.results());
          Long previous = after == null ? null : after.id();
          Long next = reply.bulkToken().id();
          if (next == null || (previous != null && next <= previous)) {
            // a cursor that does not move on would page for ever
            done.fail(new IllegalStateException("the controller's bulk token did not advance ("
                + previous + " -> " + next + ")"));
            return;
          }
          page(reply.bulkToken(), into, done);
        });
  }

  /** One app, or empty when the controller no longer has it. */
  public Future<Optional<BulkApp>> one(String id) {
    return bus.request(subject, BulkAppsRequest.one(id), BulkAppsReply.class, TIMEOUT)
        .map(reply -> Optional.ofNullable(reply.results().get(id)));
  }
}
