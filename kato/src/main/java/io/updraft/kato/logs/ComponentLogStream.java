package io.updraft.kato.logs;

import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.api.DiscardPolicy;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.updraft.common.protocol.Subjects;
import java.io.IOException;
import java.time.Duration;

/**
 * The bounded recent window of every node's component log lines: the JetStream stream
 * {@value #STREAM} on {@code updraft.logs.>}, file storage, oldest discarded first, at most
 * {@link Retention#maxAge}, {@link Retention#maxLinesPerProcess} lines per node and process and
 * {@link Retention#maxBytes} in all. The core's agent creates (or updates) it; {@code kato log
 * tail} replays it for the recent lines of every node. Without JetStream there is no window:
 * each node's files are its history.
 */
public final class ComponentLogStream {

  public static final String STREAM = "UPDRAFT_COMPONENT_LOGS";
  /** JetStream's "stream not found" error code. */
  static final int STREAM_NOT_FOUND = 10059;

  /** The window's limits ({@code kato.log_retention_*} in the cluster document). */
  public record Retention(Duration maxAge, long maxLinesPerProcess, long maxBytes) {
  }

  private ComponentLogStream() {
  }

  /** Creates or updates the stream. Blocking; fails when the server has no JetStream. */
  public static void ensure(Connection connection, Retention retention)
      throws IOException, JetStreamApiException {
    JetStreamManagement jsm = connection.jetStreamManagement();
    StreamConfiguration config = StreamConfiguration.builder()
        .name(STREAM)
        .subjects(Subjects.COMPONENT_LOGS_ANY)
        .storageType(StorageType.File)
        .discardPolicy(DiscardPolicy.Old)
        .maxAge(retention.maxAge())
        .maxMessagesPerSubject(retention.maxLinesPerProcess())
        .maxBytes(retention.maxBytes())
        .build();
    try {
      jsm.getStreamInfo(STREAM);
      jsm.updateStream(config);
    } catch (JetStreamApiException e) {
      if (e.getApiErrorCode() != STREAM_NOT_FOUND) {
        throw e;
      }
      jsm.addStream(config);
    }
  }
}
