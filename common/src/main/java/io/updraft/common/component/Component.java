package io.updraft.common.component;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.updraft.common.bus.Bus;
import io.updraft.common.bus.Subscription;
import io.updraft.common.config.StatusConfig;
import io.updraft.common.logging.Redact;
import io.updraft.common.protocol.Empty;
import io.updraft.common.protocol.Subjects;
import io.updraft.common.protocol.component.ComponentDiscover;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operations surface every component shares (CONVENTIONS lesson 17): the status endpoint
 * ({@code /healthz}, {@code /varz}, {@code /metrics}), the answer to
 * {@code vcap.component.discover} and the {@code vcap.component.announce} at start.
 *
 * <p>Start and stop it from the component's verticle so the discover handler and the varz
 * figures run on that verticle's event loop.
 */
public final class Component {

  private static final Logger log = LoggerFactory.getLogger(Component.class);
  private static final DateTimeFormatter RUBY_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss Z");

  private final Vertx vertx;
  private final Bus bus;
  private final ComponentIdentity identity;
  private final StatusConfig status;
  private final PrometheusMeterRegistry registry;
  private final Map<String, Object> sanitizedConfig;
  private final String user;
  private final String password;
  private volatile Supplier<Map<String, Object>> varzFigures = Map::of;
  private StatusServer server;
  private Subscription discover;
  private int port;

  /**
   * @param config the component's config as a tree; secrets are removed before it is shown
   */
  public Component(Vertx vertx, Bus bus, ComponentIdentity identity, StatusConfig status,
      PrometheusMeterRegistry registry, Map<String, Object> config) {
    this.vertx = vertx;
    this.bus = bus;
    this.identity = identity;
    this.status = status;
    this.registry = registry;
    this.sanitizedConfig = Redact.tree(config);
    this.user = status.user() != null ? status.user() : ComponentIdentity.secureId();
    this.password = status.password() != null ? status.password() : ComponentIdentity.secureId();
  }

  /** The registry behind {@code /metrics}, for the component's own meters. */
  public io.micrometer.core.instrument.MeterRegistry metrics() {
    return registry;
  }

  /**
   * Component-specific {@code /varz} figures (DEA memory, router request counts, …). The
   * supplier is called on the component's event loop and must not block.
   */
  public void varzFigures(Supplier<Map<String, Object>> figures) {
    this.varzFigures = figures;
  }

  /** Starts the status endpoint ({@code /healthz}, {@code /varz}, {@code /metrics}). */
  public Future<Void> start() {
    server = new StatusServer(vertx, status.host(), status.port(), user, password,
        this::varz, registry);
    return server.start().map(actualPort -> {
      port = actualPort;
      return null;
    });
  }

  /**
   * Answers {@code vcap.component.discover} and publishes {@code vcap.component.announce}:
   * called once the component is ready, so anyone who finds it on the bus can use it.
   */
  public void announce() {
    discover = bus.subscribe(Subjects.COMPONENT_DISCOVER, Empty.class,
        request -> bus.reply(request, document(true)));
    bus.publish(Subjects.COMPONENT_ANNOUNCE, document(false));
    log.atInfo().setMessage("component.started")
        .addKeyValue("type", identity.type())
        .addKeyValue("uuid", identity.uuid())
        .addKeyValue("status", statusAddress())
        .log();
  }

  public Future<Void> stop() {
    if (discover != null) {
      discover.close();
    }
    return server == null ? Future.succeededFuture() : server.stop();
  }

  public ComponentIdentity identity() {
    return identity;
  }

  /** The port the status endpoint listens on (after {@link #start()}). */
  public int statusPort() {
    return port;
  }

  public String statusAddress() {
    return identity.localIp() + ":" + port;
  }

  /** Basic-auth user and password of {@code /varz} and {@code /metrics}. */
  public List<String> statusCredentials() {
    return List.of(user, password);
  }

  ComponentDiscover document(boolean withUptime) {
    return new ComponentDiscover(identity.type(), identity.index(), identity.uuid(),
        statusAddress(), statusCredentials(),
        RUBY_TIME.format(identity.startedAt().atZone(ZoneId.systemDefault())),
        withUptime ? uptime() : null);
  }

  String uptime() {
    Duration d = Duration.between(identity.startedAt(), Instant.now());
    return d.toDays() + "d:" + d.toHoursPart() + "h:" + d.toMinutesPart() + "m:"
        + d.toSecondsPart() + "s";
  }

  private Future<JsonObject> varz() {
    Map<String, Object> figures = varzFigures.get();
    return vertx.executeBlocking(() -> {
      Map<String, Object> doc = new LinkedHashMap<>();
      ComponentDiscover base = document(true);
      doc.put("type", base.type());
      doc.put("index", base.index());
      doc.put("uuid", base.uuid());
      doc.put("host", base.host());
      doc.put("start", base.start());
      doc.put("uptime", base.uptime());
      // which process it is, for operators matching /varz to ps output
      doc.put("pid", ProcessHandle.current().pid());
      doc.put("num_cores", Runtime.getRuntime().availableProcessors());
      doc.put("mem", ProcessStats.residentKb());
      doc.put("cpu", ProcessStats.cpuPercent());
      Runtime rt = Runtime.getRuntime();
      doc.put("heap_used_kb", (rt.totalMemory() - rt.freeMemory()) / 1024);
      doc.put("nats_connected", bus.isConnected());
      doc.put("config", sanitizedConfig);
      doc.putAll(figures);
      return new JsonObject(doc);
    });
  }
}
