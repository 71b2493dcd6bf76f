package io.updraft.controller.health;

import io.updraft.common.bus.Bus;
import io.updraft.common.bus.Delivery;
import io.updraft.common.bus.Subscription;
import io.updraft.common.protocol.Subjects;
import io.updraft.common.protocol.health.BulkAppsReply;
import io.updraft.common.protocol.health.BulkAppsReply.BulkApp;
import io.updraft.common.protocol.health.BulkAppsRequest;
import io.updraft.controller.apps.App;
import io.updraft.controller.apps.AppStore;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves desired state to the health managers on {@code cloudcontroller.bulk.apps} (queue group
 * {@code cc}: one controller answers each page), in the v1 bulk API's shape (PROTOCOL.md 4.6).
 */
public final class BulkAppsResponder {

  private static final Logger log = LoggerFactory.getLogger(BulkAppsResponder.class);
  static final int MAX_BATCH = 1000;

  private final Bus bus;
  private final AppStore apps;
  private Subscription subscription;

  public BulkAppsResponder(Bus bus, AppStore apps) {
    this.bus = bus;
    this.apps = apps;
  }

  public void start() {
    subscription = bus.subscribe(Subjects.BULK_APPS, Subjects.QUEUE_CC, BulkAppsRequest.class,
        this::answer);
  }

  public void stop() {
    if (subscription != null) {
      subscription.close();
    }
  }

  private void answer(Delivery<BulkAppsRequest> d) {
    BulkAppsRequest q = d.body();
    if (q.droplet() != null) {
      long id;
      try {
        id = Long.parseLong(q.droplet());
      } catch (NumberFormatException e) {
        bus.reply(d, new BulkAppsReply(Map.of(), null));
        return;
      }
      apps.findById(id).onSuccess(found -> bus.reply(d, new BulkAppsReply(
          found.map(a -> Map.of(q.droplet(), bulk(a))).orElse(Map.of()), null)))
          .onFailure(e -> log.atWarn().setMessage("bulk.apps.failed")
              .addKeyValue("error", e.toString()).log());
      return;
    }
    int batch = q.batchSize() == null || q.batchSize() <= 0 ? 200
        : Math.min(q.batchSize(), MAX_BATCH);
    long after = q.bulkToken() == null || q.bulkToken().id() == null ? 0 : q.bulkToken().id();
    apps.page(after, batch).onSuccess(page -> bus.reply(d, reply(page)))
        .onFailure(e -> log.atWarn().setMessage("bulk.apps.failed")
            .addKeyValue("error", e.toString()).log());
  }

  private static BulkAppsReply reply(List<App> page) {
    Map<String, BulkApp> results = new LinkedHashMap<>();
    long last = 0;
    for (App a : page) {
      results.put(String.valueOf(a.id()), bulk(a));
      last = a.id();
    }
    return new BulkAppsReply(results, page.isEmpty() ? null
        : new BulkAppsRequest.BulkToken(last));
  }

  static BulkApp bulk(App a) {
    return new BulkApp(String.valueOf(a.id()), a.name(), a.instances(), a.state(),
        a.framework(), a.runtime(), a.memoryMb(), a.packageState(), a.updatedAt(), a.version());
  }
}
