package io.updraft.common.component;

import com.fasterxml.jackson.core.type.TypeReference;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.updraft.common.bus.NatsBus;
import io.updraft.common.config.ComponentConfig;
import io.updraft.common.config.ConfigException;
import io.updraft.common.config.ConfigLoader;
import io.updraft.common.protocol.Json;
import io.vertx.core.Deployable;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Boots a component in a fixed order: config, metrics registry, Vert.x, NATS bus, operations
 * surface, then the component's verticle; shuts down in reverse (CONVENTIONS lesson 5). Each
 * module's {@code main} is one call to {@link #main}.
 */
public final class ComponentLauncher {

  private static final Logger log = LoggerFactory.getLogger(ComponentLauncher.class);

  private ComponentLauncher() {
  }

  /** Builds a component's main verticle from what the launcher has set up. */
  @FunctionalInterface
  public interface VerticleFactory<C extends ComponentConfig> {
    Deployable create(Runtime<C> runtime);
  }

  /** What a component's bootstrap receives; everything is passed on through constructors. */
  public record Runtime<C extends ComponentConfig>(Vertx vertx, NatsBus bus, C config,
      Component component, PrometheusMeterRegistry metrics) {
  }

  /** A started component; {@link #stop()} takes it down in reverse order. */
  public record Running<C extends ComponentConfig>(Runtime<C> runtime, String deploymentId) {

    /**
     * Undeploys the verticle, closes the bus, then Vert.x; each step is bounded. Call it from
     * a thread that is not one of this component's (a shutdown hook, a test): Vert.x cannot
     * report its own close on an event loop it is shutting down.
     */
    public void stop() {
      step(runtime.vertx().undeploy(deploymentId), "undeploy");
      step(runtime.bus().close(), "bus close");
      step(runtime.vertx().close(), "vertx close");
    }

    private static void step(Future<?> future, String what) {
      try {
        future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (Exception e) {
        log.atWarn().setMessage("component.stop.incomplete").addKeyValue("step", what)
            .addKeyValue("error", String.valueOf(e.getMessage())).log();
      }
    }
  }

  @Command(mixinStandardHelpOptions = true, sortOptions = false,
      description = "Starts an Updraft component.")
  static final class Options {
    @Option(names = "--config", paramLabel = "PATH",
        description = "YAML config file (default: $UPDRAFT_CONFIG, else built-in defaults). "
            + "UPDRAFT__KEY__SUBKEY environment variables override it.")
    Path config;

    @Option(names = "--check-config", description = "Validate the config, print it and exit.")
    boolean checkConfig;
  }

  /**
   * The whole {@code main} of a component: exits non-zero with one clear line when the config
   * is bad or the component cannot start.
   */
  public static <C extends ComponentConfig> void main(String[] args, String type,
      Class<C> configType, VerticleFactory<C> factory) {
    main(args, type, configType, factory, Set.of());
  }

  /**
   * Like {@link #main(String[], String, Class, VerticleFactory)}, with some of Vert.x's own
   * metrics switched off: a component that measures the same thing itself (the router's
   * per-route request metrics) saves their cost on every request.
   */
  public static <C extends ComponentConfig> void main(String[] args, String type,
      Class<C> configType, VerticleFactory<C> factory, Set<MetricsDomain> disabledMetrics) {
    Options options = new Options();
    CommandLine cli = new CommandLine(options).setCommandName(type);
    try {
      cli.parseArgs(args);
    } catch (CommandLine.ParameterException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    if (cli.isUsageHelpRequested()) {
      cli.usage(System.out);
      return;
    }
    C config;
    try {
      Path file = options.config != null ? options.config
          : System.getenv("UPDRAFT_CONFIG") != null ? Path.of(System.getenv("UPDRAFT_CONFIG"))
          : null;
      config = ConfigLoader.load(file, System.getenv(), configType);
    } catch (ConfigException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    if (options.checkConfig) {
      System.out.println("config ok: " + config);
      return;
    }
    Running<C> running;
    try {
      running = start(type, config, factory, disabledMetrics).toCompletionStage()
          .toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      System.err.println(type + " failed to start: " + cause.getMessage());
      System.exit(1);
      return;
    }
    java.lang.Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      log.atInfo().setMessage("component.stopping").addKeyValue("type", type).log();
      running.stop();
    }, type + "-shutdown"));
  }

  /** Starts a component in this JVM (also how tests run one). */
  public static <C extends ComponentConfig> Future<Running<C>> start(String type, C config,
      VerticleFactory<C> factory) {
    return start(type, config, factory, Set.of());
  }

  public static <C extends ComponentConfig> Future<Running<C>> start(String type, C config,
      VerticleFactory<C> factory, Set<MetricsDomain> disabledMetrics) {
    int index = config.index() == null ? 0 : config.index();
    ComponentIdentity identity = ComponentIdentity.create(type, index,
        LocalAddress.pick(config.localIp()));
    PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    metrics.config().commonTags("component", type, "index", String.valueOf(index));
    MicrometerMetricsOptions metricsOptions =
        new MicrometerMetricsOptions().setEnabled(true).setJvmMetricsEnabled(true);
    disabledMetrics.forEach(metricsOptions::addDisabledMetricsCategory);
    Vertx vertx = Vertx.builder()
        // native transport (epoll) where the component ships it, NIO otherwise
        .with(new VertxOptions().setMetricsOptions(metricsOptions).setPreferNativeTransport(true))
        .withMetrics(new MicrometerMetricsFactory(metrics))
        .build();
    Map<String, Object> configTree =
        Json.mapper().convertValue(config, new TypeReference<Map<String, Object>>() { });
    return NatsBus.connect(vertx, config.nats(), type + "-" + identity.uuid(), metrics)
        .compose(bus -> {
          Component component = new Component(vertx, bus, identity, config.status(), metrics,
              configTree);
          LiveConfig.start(bus, type); // keys kato config changes live (kato/README.md)
          Runtime<C> runtime = new Runtime<>(vertx, bus, config, component, metrics);
          return vertx.deployVerticle(factory.create(runtime))
              .map(id -> new Running<>(runtime, id))
              .onFailure(e -> bus.close());
        })
        .onFailure(e -> vertx.close());
  }
}
