package io.updraft.controller.drains;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.updraft.common.bus.Bus;
import io.updraft.common.bus.Delivery;
import io.updraft.common.bus.Subscription;
import io.updraft.common.protocol.Subjects;
import io.updraft.common.protocol.logs.AppLogLine;
import io.updraft.controller.ControllerConfig.DrainsConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.TrustOptions;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forwards apps' log lines ({@code logs.<app_id>}) to their drains, each line once across all
 * controllers: they subscribe in the queue group {@value Subjects#QUEUE_DRAINS}, so NATS hands
 * every line to exactly one of them, which sends it to each of the app's drains through its
 * {@link DrainSender}. (A JetStream durable consumer shared by the controllers would also keep
 * lines while no controller runs, but needs JetStream; the queue group works on any server.)
 *
 * <p>Every controller keeps a sender per drain, built from the {@code drains} table: at start,
 * at once after a change through this controller's API, and every {@code refresh_ms} (changes
 * made through another controller). At each refresh the lines its senders dropped are added to
 * the drain's {@code dropped} count in the database, so {@code drain list} shows the sum of all
 * controllers.
 *
 * <p>Threading: started on the controller's event loop; lines, reloads and senders all run
 * there. The trust store is read on a worker at start.
 */
public final class DrainForwarder {

  private static final Logger log = LoggerFactory.getLogger(DrainForwarder.class);

  private final Vertx vertx;
  private final Bus bus;
  private final DrainStore store;
  private final DrainsConfig config;
  private final String host;
  private final Counter sent;
  private final Counter dropped;
  private final Map<Long, DrainSender> senders = new HashMap<>();
  private final Map<Long, List<DrainSender>> byApp = new HashMap<>();
  /** What the meters read from their own thread (the maps are event-loop confined). */
  private volatile List<DrainSender> published = List.of();
  private NetClient plain;
  private NetClient tls;
  private Subscription subscription;
  private long timer = -1;
  private boolean reloading;
  private boolean reloadAgain;
  private boolean stopped;

  /**
   * @param host the HOSTNAME of every message (the cloud's domain)
   */
  public DrainForwarder(Vertx vertx, Bus bus, DrainStore store, DrainsConfig config, String host,
      MeterRegistry metrics) {
    this.vertx = vertx;
    this.bus = bus;
    this.store = store;
    this.config = config;
    this.host = host;
    this.sent = Counter.builder("updraft.drains.lines.sent")
        .description("log lines written to drain endpoints").register(metrics);
    this.dropped = Counter.builder("updraft.drains.lines.dropped")
        .description("log lines dropped because a drain endpoint stayed down").register(metrics);
    metrics.gauge("updraft.drains.queued", this, f -> f.published.stream()
        .mapToInt(DrainSender::queued).sum());
    metrics.gauge("updraft.drains.connected", this, f -> f.published.stream()
        .filter(DrainSender::connected).count());
  }

  /** Reads the trust store, subscribes and loads the drains. Fails only on a bad CA file. */
  public Future<Void> start() {
    return vertx.executeBlocking(this::trust).map(trust -> {
      NetClientOptions base = new NetClientOptions()
          .setConnectTimeout(config.connectTimeoutMs())
          .setTcpKeepAlive(true);
      plain = vertx.createNetClient(new NetClientOptions(base));
      tls = vertx.createNetClient(new NetClientOptions(base).setSsl(true)
          .setTrustOptions(trust).setHostnameVerificationAlgorithm("HTTPS"));
      subscription = bus.subscribe(Subjects.APP_LOGS_ANY, Subjects.QUEUE_DRAINS,
          AppLogLine.class, this::onLine);
      timer = vertx.setPeriodic(config.refreshMs(), id -> reload());
      return null;
    }).compose(v -> reload()).compose(v -> bus.flush().recover(e -> Future.succeededFuture()));
  }

  public void stop() {
    stopped = true;
    vertx.cancelTimer(timer);
    if (subscription != null) {
      subscription.close();
    }
    senders.values().forEach(DrainSender::stop);
    senders.clear();
    byApp.clear();
    published = List.of();
    if (plain != null) {
      plain.close();
      tls.close();
    }
  }

  /**
   * Rereads the drains (creating and stopping senders) after adding up dropped counts; runs one
   * at a time, and once more when asked again meanwhile. Never fails.
   */
  public Future<Void> reload() {
    if (stopped) {
      return Future.succeededFuture();
    }
    if (reloading) {
      reloadAgain = true;
      return Future.succeededFuture();
    }
    reloading = true;
    Map<Long, Long> drops = new LinkedHashMap<>();
    senders.forEach((id, s) -> {
      long n = s.takeDropped();
      if (n > 0) {
        drops.put(id, n);
      }
    });
    return store.addDropped(drops).recover(e -> {
      // keep the counts for the next round
      drops.forEach((id, n) -> {
        DrainSender s = senders.get(id);
        if (s != null) {
          s.unreport(n);
        }
      });
      return Future.succeededFuture();
    }).compose(v -> store.all()).map(all -> {
      apply(all);
      return (Void) null;
    }).recover(e -> {
      log.atWarn().setMessage("drain.reload.failed").addKeyValue("error", e.getMessage()).log();
      return Future.succeededFuture();
    }).eventually(() -> {
      reloading = false;
      if (reloadAgain) {
        reloadAgain = false;
        return reload();
      }
      return Future.succeededFuture();
    });
  }

  /** Lines dropped by this controller for the drain and not yet in the database. */
  public long droppedPending(long drainId) {
    DrainSender s = senders.get(drainId);
    return s == null ? 0 : s.droppedUnreported();
  }

  /** Whether this controller is connected to the drain's endpoint. */
  public boolean connected(long drainId) {
    DrainSender s = senders.get(drainId);
    return s != null && s.connected();
  }

  private void apply(List<Drain> all) {
    if (stopped) {
      return;
    }
    Map<Long, Drain> wanted = new HashMap<>();
    all.forEach(d -> wanted.put(d.id(), d));
    senders.entrySet().removeIf(e -> {
      if (!wanted.containsKey(e.getKey())) {
        e.getValue().stop();
        return true;
      }
      return false;
    });
    for (Drain d : all) {
      if (senders.containsKey(d.id())) {
        continue;
      }
      DrainUrl url;
      try {
        url = DrainUrl.parse(d.url());
      } catch (IllegalArgumentException e) {
        log.atWarn().setMessage("drain.url.invalid").addKeyValue("drain", d.name())
            .addKeyValue("error", e.getMessage()).log();
        continue;
      }
      DrainSender sender = new DrainSender(vertx, url.tls() ? tls : plain, d, url,
          config.queueSize(), Duration.ofMillis(config.backoffInitialMs()),
          Duration.ofMillis(config.backoffMaxMs()), new DrainSender.Listener() {
            @Override
            public void sent() {
              sent.increment();
            }

            @Override
            public void dropped() {
              dropped.increment();
            }
          });
      senders.put(d.id(), sender);
      sender.start();
    }
    byApp.clear();
    senders.values().forEach(s -> byApp.computeIfAbsent(s.drain().appId(),
        k -> new ArrayList<>()).add(s));
    published = List.copyOf(senders.values());
  }

  private void onLine(Delivery<AppLogLine> delivery) {
    AppLogLine line = delivery.body();
    long appId;
    try {
      appId = Long.parseLong(line.app());
    } catch (NumberFormatException e) {
      return; // not an app of this cloud's controllers
    }
    List<DrainSender> targets = byApp.get(appId);
    if (targets == null) {
      return;
    }
    for (DrainSender s : targets) {
      s.offer(SyslogFormat.frame(SyslogFormat.message(line, host, s.drain().appName())));
    }
  }

  /** The JDK's trusted CAs plus those of {@code ca_file}. Blocking (files). */
  private TrustOptions trust() throws IOException, GeneralSecurityException {
    KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
    store.load(null, null);
    TrustManagerFactory jdk = TrustManagerFactory.getInstance(
        TrustManagerFactory.getDefaultAlgorithm());
    jdk.init((KeyStore) null);
    int n = 0;
    for (TrustManager tm : jdk.getTrustManagers()) {
      if (tm instanceof X509TrustManager x509) {
        for (X509Certificate cert : x509.getAcceptedIssuers()) {
          store.setCertificateEntry("jdk-" + n++, cert);
        }
      }
    }
    if (config.caFile() != null) {
      try (InputStream in = Files.newInputStream(Path.of(config.caFile()))) {
        int added = 0;
        for (Certificate cert : CertificateFactory.getInstance("X.509")
            .generateCertificates(in)) {
          store.setCertificateEntry("drain-ca-" + added++, cert);
        }
        if (added == 0) {
          throw new GeneralSecurityException("no certificate in drains.ca_file "
              + config.caFile());
        }
      }
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(
        TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(store);
    return TrustOptions.wrap(tmf);
  }
}
