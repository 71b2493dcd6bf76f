package io.updraft.common.bus;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.nats.client.Connection;
import io.nats.client.ConnectionListener;
import io.nats.client.Dispatcher;
import io.nats.client.ErrorListener;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.updraft.common.logging.Redact;
import io.updraft.common.protocol.WireMessage;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The jnats-backed {@link Bus}: owns one NATS connection for a component.
 *
 * <p>It reconnects forever with capped exponential backoff (also when the first connect
 * fails, so a component may start before NATS), and jnats re-subscribes after a reconnect,
 * so subscriptions survive a NATS restart. Messages arrive on the jnats dispatcher thread,
 * are decoded there, and each handler is then run on the subscriber's Vert.x context.
 */
public final class NatsBus implements Bus {

  private static final Logger log = LoggerFactory.getLogger(NatsBus.class);
  private static final String INBOX_TAG = "_INBOX";
  private static final int NO_RESPONDERS = 503;

  private final Vertx vertx;
  private final Connection connection;
  private final Dispatcher dispatcher;
  private final MeterRegistry metrics;
  private final List<ConnectionWatcher> watchers;

  private NatsBus(Vertx vertx, Connection connection, MeterRegistry metrics,
      List<ConnectionWatcher> watchers) {
    this.vertx = vertx;
    this.connection = connection;
    this.metrics = metrics;
    this.watchers = watchers;
    this.dispatcher = connection.createDispatcher();
  }

  /**
   * Connects on a worker thread (the first attempt blocks for up to the connect timeout). The
   * future completes even when no server is reachable yet: the bus keeps trying.
   */
  public static Future<NatsBus> connect(Vertx vertx, NatsConfig config, String connectionName,
      MeterRegistry metrics) {
    List<ConnectionWatcher> watchers = new CopyOnWriteArrayList<>();
    String[] lastError = new String[1];
    Options options = options(config, connectionName, metrics, watchers, lastError);
    return vertx.executeBlocking(() -> {
      Connection connection = Nats.connectReconnectOnConnect(options);
      if (connection.getStatus() == Connection.Status.CLOSED) {
        throw new IllegalStateException("NATS closed the connection to "
            + config.redactedServers() + (lastError[0] == null ? "" : ": " + lastError[0]));
      }
      metrics.gauge("updraft.nats.connected", Tags.empty(), connection,
          c -> c.getStatus() == Connection.Status.CONNECTED ? 1 : 0);
      return new NatsBus(vertx, connection, metrics, watchers);
    });
  }

  private static Options options(NatsConfig config, String connectionName, MeterRegistry metrics,
      List<ConnectionWatcher> watchers, String[] lastError) {
    long capMillis = config.reconnectMaxWait().toMillis();
    Options.Builder builder = new Options.Builder()
        .servers(config.servers().toArray(String[]::new))
        .connectionName(connectionName)
        .connectionTimeout(config.connectTimeout())
        .maxReconnects(-1)
        // 50 ms, 100 ms, 200 ms ... capped: a restarted server is found quickly, a dead one
        // is not hammered.
        .reconnectDelayHandler(attempt -> Duration.ofMillis(
            Math.min(capMillis, 50L << Math.min(attempt, 16))))
        .reconnectJitter(Duration.ofMillis(Math.min(100, capMillis)))
        .connectionListener(new ConnectionListener() {
          @Override
          public void connectionEvent(Connection conn, Events type) {
            onConnectionEvent(conn, type, metrics, watchers);
          }
        })
        .errorListener(new ErrorListener() {
          @Override
          public void errorOccurred(Connection conn, String error) {
            lastError[0] = error;
            log.atWarn().setMessage("nats.error").addKeyValue("error", error).log();
          }

          @Override
          public void exceptionOccurred(Connection conn, Exception exp) {
            log.atDebug().setMessage("nats.exception")
                .addKeyValue("error", exp.getClass().getSimpleName() + ": " + exp.getMessage())
                .log();
          }

          @Override
          public void slowConsumerDetected(Connection conn, io.nats.client.Consumer consumer) {
            metrics.counter("updraft.nats.slow_consumer").increment();
            log.atWarn().setMessage("nats.slow-consumer").log();
          }
        });
    if (config.token() != null) {
      builder.token(config.token().toCharArray());
    } else if (config.user() != null) {
      builder.userInfo(config.user().toCharArray(), config.password().toCharArray());
    }
    return builder.build();
  }

  private static void onConnectionEvent(Connection conn, ConnectionListener.Events type,
      MeterRegistry metrics, List<ConnectionWatcher> watchers) {
    metrics.counter("updraft.nats.connection.events", "event", type.name().toLowerCase())
        .increment();
    String server = Redact.url(conn.getConnectedUrl());
    switch (type) {
      case CONNECTED, RECONNECTED, RESUBSCRIBED ->
          log.atInfo().setMessage("nats." + type.name().toLowerCase())
              .addKeyValue("server", server).log();
      case DISCONNECTED, CLOSED, LAME_DUCK ->
          log.atWarn().setMessage("nats." + type.name().toLowerCase().replace('_', '-'))
              .addKeyValue("server", server).log();
      default -> log.atDebug().setMessage("nats." + type.name().toLowerCase()).log();
    }
    boolean up = type == ConnectionListener.Events.CONNECTED
        || type == ConnectionListener.Events.RECONNECTED;
    boolean down = type == ConnectionListener.Events.DISCONNECTED
        || type == ConnectionListener.Events.CLOSED;
    if (up || down) {
      for (ConnectionWatcher watcher : watchers) {
        watcher.context.runOnContext(v -> watcher.handler.handle(up));
      }
    }
  }

  @Override
  public void publish(String subject, WireMessage message) {
    publishRaw(subject, message.toJson());
  }

  @Override
  public void publishRaw(String subject, byte[] payload) {
    connection.publish(subject, payload);
    metrics.counter("updraft.nats.messages.published").increment();
  }

  @Override
  public <T> Subscription subscribe(String subject, String queueGroup, Class<T> type,
      Handler<Delivery<T>> handler) {
    Context context = vertx.getOrCreateContext();
    io.nats.client.Subscription sub = queueGroup == null
        ? dispatcher.subscribe(subject, msg -> deliver(subject, msg, type, context, handler))
        : dispatcher.subscribe(subject, queueGroup,
            msg -> deliver(subject, msg, type, context, handler));
    AtomicBoolean open = new AtomicBoolean(true);
    return new Subscription() {
      @Override
      public String subject() {
        return subject;
      }

      @Override
      public void close() {
        if (open.compareAndSet(true, false) && connection.getStatus() != Connection.Status.CLOSED) {
          dispatcher.unsubscribe(sub);
        }
      }
    };
  }

  /** Runs on the jnats dispatcher thread: decode here, handle on the subscriber's context. */
  private <T> void deliver(String subscription, Message msg, Class<T> type, Context context,
      Handler<Delivery<T>> handler) {
    metrics.counter("updraft.nats.messages.received", "subscription", subscription).increment();
    T body;
    try {
      body = Payloads.decode(msg.getData(), type);
    } catch (RuntimeException e) {
      dropped(subscription, msg.getSubject(), "decode", e);
      return;
    }
    Delivery<T> delivery = new Delivery<>(msg.getSubject(), msg.getReplyTo(), body);
    context.runOnContext(v -> {
      try {
        handler.handle(delivery);
      } catch (RuntimeException e) {
        dropped(subscription, delivery.subject(), "handler", e);
      }
    });
  }

  private void dropped(String subscription, String subject, String reason, Exception e) {
    metrics.counter("updraft.nats.messages.dropped", "subscription", subscription,
        "reason", reason).increment();
    log.atWarn().setMessage("nats.message.dropped")
        .addKeyValue("subject", subject)
        .addKeyValue("reason", reason)
        .addKeyValue("error", e.getMessage())
        .log();
  }

  @Override
  public <R> Future<R> request(String subject, WireMessage message, Class<R> replyType,
      Duration timeout) {
    return collect(subject, message, replyType, timeout, 1).compose(replies -> {
      if (!replies.values().isEmpty()) {
        return Future.succeededFuture(replies.values().get(0));
      }
      return Future.failedFuture(replies.nobodyListens()
          ? BusTimeoutException.noResponders(subject) : new BusTimeoutException(subject, timeout));
    });
  }

  @Override
  public <R> Future<List<R>> gather(String subject, WireMessage message, Class<R> replyType,
      Duration window, int maxReplies) {
    return collect(subject, message, replyType, window, maxReplies).map(Replies::values);
  }

  /** What a request collected, and whether the server said nobody subscribes to it. */
  private record Replies<R>(List<R> values, boolean nobodyListens) {
  }

  /**
   * Subscribes a fresh inbox, publishes the request with it as reply subject and collects
   * decodable replies until {@code max} arrived or the window closes. The SUB is sent before
   * the PUB on the same connection, so no early reply is lost.
   */
  private <R> Future<Replies<R>> collect(String subject, WireMessage message, Class<R> replyType,
      Duration window, int max) {
    if (max < 1) {
      return Future.failedFuture(new IllegalArgumentException("maxReplies must be >= 1"));
    }
    Context context = vertx.getOrCreateContext();
    Promise<Replies<R>> promise = Promise.promise();
    List<R> replies = new ArrayList<>();
    String inbox = connection.createInbox();
    io.nats.client.Subscription[] sub = new io.nats.client.Subscription[1];
    long[] timer = new long[1];
    Handler<Boolean> finish = nobodyListens -> {
      if (promise.tryComplete(new Replies<>(List.copyOf(replies), nobodyListens))) {
        vertx.cancelTimer(timer[0]);
        if (connection.getStatus() != Connection.Status.CLOSED) {
          dispatcher.unsubscribe(sub[0]);
        }
      }
    };
    context.runOnContext(v -> {
      sub[0] = dispatcher.subscribe(inbox, msg -> {
        if (msg.isStatusMessage()) {
          // the server's "503 no responders": nobody subscribes to the subject, stop waiting
          if (msg.getStatus().getCode() == NO_RESPONDERS) {
            context.runOnContext(x -> finish.handle(true));
          }
          return;
        }
        metrics.counter("updraft.nats.messages.received", "subscription", INBOX_TAG).increment();
        R reply;
        try {
          reply = Payloads.decode(msg.getData(), replyType);
        } catch (RuntimeException e) {
          dropped(INBOX_TAG, subject + " (reply)", "decode", e);
          return;
        }
        context.runOnContext(x -> {
          if (!promise.future().isComplete()) {
            replies.add(reply);
            if (replies.size() >= max) {
              finish.handle(false);
            }
          }
        });
      });
      timer[0] = vertx.setTimer(Math.max(1, window.toMillis()), id -> finish.handle(false));
      try {
        connection.publish(subject, inbox, message.toJson());
        metrics.counter("updraft.nats.messages.published").increment();
      } catch (RuntimeException e) {
        if (promise.tryFail(e)) {
          vertx.cancelTimer(timer[0]);
          dispatcher.unsubscribe(sub[0]);
        }
      }
    });
    return promise.future();
  }

  @Override
  public void reply(Delivery<?> request, WireMessage message) {
    if (request.isRequest()) {
      publish(request.replyTo(), message);
    }
  }

  @Override
  public boolean isConnected() {
    return connection.getStatus() == Connection.Status.CONNECTED;
  }

  @Override
  public void onConnectionChange(Handler<Boolean> handler) {
    watchers.add(new ConnectionWatcher(vertx.getOrCreateContext(), handler));
  }

  /**
   * Completes once the server has processed everything sent so far (a PING/PONG round trip):
   * subscriptions made before it are live when it completes.
   */
  @Override
  public Future<Void> flush() {
    return vertx.executeBlocking(() -> {
      connection.flush(Duration.ofSeconds(5));
      return null;
    });
  }

  /**
   * The underlying jnats connection, for what the {@link Bus} does not model: JetStream (the
   * controller's log retention stream). Publish and subscribe through the bus, not through this;
   * its JetStream calls block, so make them off the event loop.
   */
  public Connection connection() {
    return connection;
  }

  /** Sends everything buffered to the server, then closes; blocking work runs on a worker. */
  public Future<Void> close() {
    return vertx.executeBlocking(() -> {
      try {
        connection.flush(Duration.ofSeconds(1));
      } catch (Exception e) {
        log.atDebug().setMessage("nats.flush.skipped").addKeyValue("error", e.getMessage()).log();
      }
      connection.close();
      return null;
    });
  }

  private record ConnectionWatcher(Context context, Handler<Boolean> handler) {
  }
}
