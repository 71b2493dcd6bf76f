package io.updraft.controller.drains;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import java.time.Duration;
import java.util.ArrayDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One drain's connection to its syslog endpoint and its queue of framed lines.
 *
 * <p>Lines are written as long as the socket takes them; otherwise they wait in a queue of at
 * most {@code queueSize} lines, and when it is full the oldest is dropped and counted. So an
 * endpoint that is slow or down costs bounded memory and never holds anything up. A refused or
 * lost connection is retried after {@code initialBackoff}, doubling up to {@code maxBackoff};
 * the wait starts over once connected. Lines the operating system had accepted for a connection
 * the endpoint then lost are gone (TCP syslog has no acknowledgements, RFC 6587).
 *
 * <p>Threading: confined to the event loop it was created on; nothing here blocks.
 */
final class DrainSender {

  private static final Logger log = LoggerFactory.getLogger(DrainSender.class);

  /** What a sender reports to the forwarder's meters. */
  interface Listener {
    void sent();

    void dropped();
  }

  private final Vertx vertx;
  private final NetClient client;
  private final Drain drain;
  private final DrainUrl url;
  private final int queueSize;
  private final Duration initialBackoff;
  private final Duration maxBackoff;
  private final Listener listener;
  private final ArrayDeque<Buffer> queue = new ArrayDeque<>();
  private volatile NetSocket socket; // read by the meters' thread too
  private boolean connecting;
  private boolean stopped;
  private int failures;
  private long timer = -1;
  private long droppedUnreported;
  private String lastError;

  DrainSender(Vertx vertx, NetClient client, Drain drain, DrainUrl url, int queueSize,
      Duration initialBackoff, Duration maxBackoff, Listener listener) {
    this.vertx = vertx;
    this.client = client;
    this.drain = drain;
    this.url = url;
    this.queueSize = queueSize;
    this.initialBackoff = initialBackoff;
    this.maxBackoff = maxBackoff;
    this.listener = listener;
  }

  Drain drain() {
    return drain;
  }

  void start() {
    connect();
  }

  /** Queues one framed line and writes what the socket takes. */
  void offer(byte[] frame) {
    if (stopped) {
      return;
    }
    if (queue.size() >= queueSize) {
      queue.pollFirst();
      droppedUnreported++;
      listener.dropped();
    }
    queue.addLast(Buffer.buffer(frame));
    pump();
  }

  boolean connected() {
    return socket != null;
  }

  int queued() {
    return queue.size();
  }

  /** Lines dropped since the last call (the forwarder adds them up in the database). */
  long takeDropped() {
    long n = droppedUnreported;
    droppedUnreported = 0;
    return n;
  }

  /** Gives back counts taken but not recorded (the database was unreachable). */
  void unreport(long n) {
    droppedUnreported += n;
  }

  /** Lines dropped and not yet taken. */
  long droppedUnreported() {
    return droppedUnreported;
  }

  void stop() {
    stopped = true;
    vertx.cancelTimer(timer);
    queue.clear();
    if (socket != null) {
      socket.close();
      socket = null;
    }
  }

  private void pump() {
    NetSocket s = socket;
    if (s == null) {
      return;
    }
    while (!queue.isEmpty() && !s.writeQueueFull()) {
      s.write(queue.pollFirst());
      listener.sent();
    }
    if (!queue.isEmpty()) {
      s.drainHandler(v -> pump());
    }
  }

  private void connect() {
    if (stopped || connecting || socket != null) {
      return;
    }
    connecting = true;
    client.connect(url.port(), url.host(), url.host()).onComplete(ar -> {
      connecting = false;
      if (stopped) {
        if (ar.succeeded()) {
          ar.result().close();
        }
        return;
      }
      if (ar.failed()) {
        failed(ar.cause().getMessage());
        return;
      }
      NetSocket s = ar.result();
      socket = s;
      if (failures > 0) {
        log.atInfo().setMessage("drain.reconnected").addKeyValue("drain", drain.name())
            .addKeyValue("app", drain.appName()).addKeyValue("url", url)
            .addKeyValue("attempts", failures).log();
      } else {
        log.atDebug().setMessage("drain.connected").addKeyValue("drain", drain.name())
            .addKeyValue("app", drain.appName()).addKeyValue("url", url).log();
      }
      failures = 0;
      lastError = null;
      s.handler(ignored -> { }); // syslog receivers send nothing back
      s.exceptionHandler(e -> lastError = e.getMessage());
      s.closeHandler(v -> {
        if (socket == s) {
          socket = null;
          failed(lastError != null ? lastError : "connection closed by the endpoint");
        }
      });
      pump();
    });
  }

  private void failed(String reason) {
    if (stopped) {
      return;
    }
    if (failures == 0) {
      // once per outage: an endpoint down for hours must not fill the controller's log
      log.atWarn().setMessage("drain.unreachable").addKeyValue("drain", drain.name())
          .addKeyValue("app", drain.appName()).addKeyValue("url", url)
          .addKeyValue("error", reason).addKeyValue("queue_size", queueSize).log();
    }
    long delay = Math.min(maxBackoff.toMillis(),
        initialBackoff.toMillis() << Math.min(failures, 20));
    failures++;
    timer = vertx.setTimer(Math.max(1, delay), id -> connect());
  }
}
