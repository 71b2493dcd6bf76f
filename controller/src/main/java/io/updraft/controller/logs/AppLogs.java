package io.updraft.controller.logs;

import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.JetStreamSubscription;
import io.nats.client.Message;
import io.nats.client.PushSubscribeOptions;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.DeliverPolicy;
import io.nats.client.api.DiscardPolicy;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.api.StreamInfoOptions;
import io.updraft.common.bus.Bus;
import io.updraft.common.bus.Subscription;
import io.updraft.common.protocol.Subjects;
import io.updraft.common.protocol.logs.AppLogLine;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * App log lines ({@code logs.<app_id>}, issue 10) for the API: the recent ones and the live ones.
 *
 * <p>Retention: when the NATS server has JetStream, the controller keeps the stream
 * {@value #STREAM} on {@code logs.*} (file storage; {@link Retention}: max age, max bytes, max
 * lines per app, oldest discarded first), created or updated at start and again after a
 * reconnect if it was not there. A feed is then one ordered push consumer on the app's subject
 * that replays the stream and goes on live, so history and live lines neither overlap nor leave
 * a gap; of the replayed lines only the last {@code tail} are passed on (the consumer's pending
 * count says how many follow). Without JetStream ({@code controller.logs.retention.unavailable}
 * is logged once) a feed is a plain subscription: live lines only.
 *
 * <p>Threading: {@link #open} is called on an event loop; its sink and end run on that
 * context. JetStream calls block and run on workers. Every feed's NATS subscription ends with its
 * stop handle (an ephemeral push consumer is deleted by the server once nobody listens).
 */
public final class AppLogs {

  private static final Logger log = LoggerFactory.getLogger(AppLogs.class);
  /** The JetStream stream that keeps the recent window of every app's lines. */
  public static final String STREAM = "UPDRAFT_LOGS";

  /**
   * The stream's limits; whichever is reached first discards the oldest lines.
   *
   * @param maxAge how long a line is kept
   * @param maxBytes the whole stream's size
   * @param maxLinesPerApp lines kept per app (also bounds what one feed replays)
   */
  public record Retention(Duration maxAge, long maxBytes, long maxLinesPerApp) {
    /** One hour, 64 MiB, 10 000 lines per app. */
    public static final Retention DEFAULTS =
        new Retention(Duration.ofHours(1), 64L * 1024 * 1024, 10_000);
  }

  private final Vertx vertx;
  private final Bus bus;
  private final Connection connection;
  private final Retention retention;
  private final AtomicInteger open = new AtomicInteger();
  private volatile boolean jetStream;
  private boolean warned;
  private Dispatcher dispatcher;

  /**
   * @param connection the bus's NATS connection for JetStream; null: live lines only
   */
  public AppLogs(Vertx vertx, Bus bus, Connection connection, Retention retention) {
    this.vertx = vertx;
    this.bus = bus;
    this.connection = connection;
    this.retention = retention;
  }

  /** Sets up the stream when the server has JetStream; never fails. */
  public Future<Void> start() {
    if (connection == null) {
      unavailable("no NATS connection for JetStream");
      return Future.succeededFuture();
    }
    bus.onConnectionChange(up -> {
      if (up && !jetStream) {
        ensureStream();
      }
    });
    return ensureStream();
  }

  public void stop() {
    if (dispatcher != null && connection.getStatus() != Connection.Status.CLOSED) {
      connection.closeDispatcher(dispatcher);
    }
  }

  /** Whether recent lines are kept (JetStream), not just live ones passed on. */
  public boolean history() {
    return jetStream;
  }

  /** Feeds open now (tests, metrics). */
  public int openFeeds() {
    return open.get();
  }

  private Future<Void> ensureStream() {
    return vertx.executeBlocking(() -> {
      JetStreamManagement jsm = connection.jetStreamManagement();
      StreamConfiguration config = StreamConfiguration.builder()
          .name(STREAM)
          .subjects(Subjects.APP_LOGS_ANY)
          .storageType(StorageType.File)
          .discardPolicy(DiscardPolicy.Old)
          .maxAge(retention.maxAge())
          .maxBytes(retention.maxBytes())
          .maxMessagesPerSubject(retention.maxLinesPerApp())
          .build();
      try {
        jsm.getStreamInfo(STREAM);
        jsm.updateStream(config);
      } catch (JetStreamApiException e) {
        if (e.getApiErrorCode() != 10059) { // 10059: stream not found
          throw e;
        }
        try {
          jsm.addStream(config);
        } catch (JetStreamApiException raced) {
          jsm.getStreamInfo(STREAM); // another controller created it meanwhile: use that
        }
      }
      synchronized (this) {
        if (dispatcher == null) {
          dispatcher = connection.createDispatcher();
        }
      }
      return null;
    }, false).<Void>map(v -> {
      jetStream = true;
      log.atInfo().setMessage("controller.logs.retention.ready").addKeyValue("stream", STREAM)
          .addKeyValue("max_age_s", retention.maxAge().toSeconds())
          .addKeyValue("max_bytes", retention.maxBytes())
          .addKeyValue("max_lines_per_app", retention.maxLinesPerApp()).log();
      return null;
    }).recover(e -> {
      unavailable(e.getMessage());
      return Future.succeededFuture();
    });
  }

  private void unavailable(String reason) {
    if (!warned) {
      warned = true;
      log.atWarn().setMessage("controller.logs.retention.unavailable")
          .addKeyValue("reason", reason)
          .addKeyValue("effect", "app logs are live only, no recent lines").log();
    }
  }

  /**
   * Starts a feed of the app's lines: the last {@code tail} recent ones (when kept), then, with
   * {@code follow}, live ones until stopped; without {@code follow}, {@code end} runs after the
   * recent ones. Completes with the stop handle (idempotent) once lines can flow.
   */
  public Future<Runnable> open(long appId, int tail, boolean follow, Consumer<AppLogLine> sink,
      Runnable end) {
    Context context = vertx.getOrCreateContext();
    String subject = Subjects.appLogs(String.valueOf(appId));
    AtomicBoolean ended = new AtomicBoolean();
    Runnable finish = () -> {
      if (ended.compareAndSet(false, true)) {
        end.run();
      }
    };
    if (!jetStream) {
      return live(subject, follow, context, sink, finish, ended);
    }
    AtomicBoolean stopped = new AtomicBoolean();
    return vertx.executeBlocking(() -> {
      // what is kept now is history; anything after it is live
      var state = connection.jetStreamManagement()
          .getStreamInfo(STREAM, StreamInfoOptions.filterSubjects(subject)).getStreamState();
      long kept = state.getSubjectMap().getOrDefault(subject, 0L);
      Feed feed = new Feed(state.getLastSequence(), kept, tail, follow, context, sink, finish,
          ended);
      boolean replay = kept > 0 && tail > 0;
      if (!replay && !follow) {
        context.runOnContext(v -> finish.run());
        return null;
      }
      JetStreamSubscription sub = connection.jetStream().subscribe(subject, dispatcher,
          feed::deliver, false,
          PushSubscribeOptions.builder().stream(STREAM).ordered(true)
              .configuration(ConsumerConfiguration.builder()
                  .deliverPolicy(replay ? DeliverPolicy.All : DeliverPolicy.New).build())
              .build());
      open.incrementAndGet();
      return sub;
    }, false).map(sub -> once(() -> {
      ended.set(true);
      if (sub != null && stopped.compareAndSet(false, true)) {
        open.decrementAndGet();
        vertx.executeBlocking(() -> {
          if (connection.getStatus() != Connection.Status.CLOSED && sub.isActive()) {
            dispatcher.unsubscribe(sub);
          }
          return null;
        }, false).onFailure(e -> log.atDebug().setMessage("controller.logs.unsubscribe.failed")
            .addKeyValue("error", e.getMessage()).log());
      }
    })).recover(e -> {
      log.atWarn().setMessage("controller.logs.feed.degraded").addKeyValue("app", appId)
          .addKeyValue("error", e.getMessage()).log();
      return live(subject, follow, context, sink, finish, ended);
    });
  }

  /** Without JetStream: live lines only (nothing at all without {@code follow}). */
  private Future<Runnable> live(String subject, boolean follow, Context context,
      Consumer<AppLogLine> sink, Runnable finish, AtomicBoolean ended) {
    if (!follow) {
      context.runOnContext(v -> finish.run());
      return Future.succeededFuture(() -> ended.set(true));
    }
    Subscription sub = bus.subscribe(subject, AppLogLine.class, d -> {
      if (!ended.get()) {
        sink.accept(d.body());
      }
    });
    open.incrementAndGet();
    // the subscription is live on the server once the flush returns
    return bus.flush().recover(e -> Future.succeededFuture()).map(v -> once(() -> {
      ended.set(true);
      sub.close();
      open.decrementAndGet();
    }));
  }

  /**
   * One JetStream feed. {@link #deliver} runs on the dispatcher thread, one message at a time:
   * of the {@code kept} lines stored when the feed opened (stream sequence up to
   * {@code lastSeq}) it passes on the last {@code tail}; later ones are live and always passed
   * on when following. Without following, the feed ends with the last kept line (or at the first
   * later one, should retention have dropped some meanwhile).
   */
  private static final class Feed {
    private final long lastSeq;
    private final long kept;
    private final int tail;
    private final boolean follow;
    private final Context context;
    private final Consumer<AppLogLine> sink;
    private final Runnable finish;
    private final AtomicBoolean ended;
    private long seen;

    Feed(long lastSeq, long kept, int tail, boolean follow, Context context,
        Consumer<AppLogLine> sink, Runnable finish, AtomicBoolean ended) {
      this.lastSeq = lastSeq;
      this.kept = kept;
      this.tail = tail;
      this.follow = follow;
      this.context = context;
      this.sink = sink;
      this.finish = finish;
      this.ended = ended;
    }

    void deliver(Message msg) {
      if (!msg.isJetStream() || ended.get()) {
        return;
      }
      boolean live = msg.metaData().streamSequence() > lastSeq;
      boolean wanted;
      boolean last;
      if (live) {
        wanted = follow;
        last = !follow;
      } else {
        seen++;
        wanted = seen > kept - tail;
        last = !follow && (seen >= kept || msg.metaData().pendingCount() == 0);
      }
      AppLogLine line = null;
      if (wanted) {
        try {
          line = AppLogLine.fromJson(msg.getData());
        } catch (RuntimeException e) {
          log.atDebug().setMessage("controller.logs.line.undecodable")
              .addKeyValue("subject", msg.getSubject()).log();
        }
      }
      AppLogLine decoded = line;
      if (decoded == null && !last) {
        return;
      }
      context.runOnContext(v -> {
        if (decoded != null && !ended.get()) {
          sink.accept(decoded);
        }
        if (last) {
          finish.run();
        }
      });
    }
  }

  private static Runnable once(Runnable r) {
    AtomicBoolean done = new AtomicBoolean();
    return () -> {
      if (done.compareAndSet(false, true)) {
        r.run();
      }
    };
  }
}
