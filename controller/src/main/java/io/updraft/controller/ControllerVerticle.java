package io.updraft.controller;

import io.updraft.common.bus.Bus;
import io.updraft.common.bus.NatsBus;
import io.updraft.common.bus.Subscription;
import io.updraft.common.component.Component;
import io.updraft.common.component.ComponentVerticle;
import io.updraft.common.files.PrivateFiles;
import io.updraft.common.protocol.Empty;
import io.updraft.common.protocol.Subjects;
import io.updraft.common.protocol.router.RouteRegistration;
import io.updraft.common.protocol.router.RouterStart;
import io.updraft.controller.api.ApiServer;
import io.updraft.controller.apps.AppStore;
import io.updraft.controller.blobstore.Blobstore;
import io.updraft.controller.blobstore.PackageBuilder;
import io.updraft.controller.cluster.ClusterConfigClient;
import io.updraft.controller.cluster.ClusterHistory;
import io.updraft.controller.cluster.DeaSurvey;
import io.updraft.controller.cluster.NodeRegistry;
import io.updraft.controller.db.Database;
import io.updraft.controller.db.Settings;
import io.updraft.controller.drains.DrainForwarder;
import io.updraft.controller.drains.DrainStore;
import io.updraft.controller.events.EventStore;
import io.updraft.controller.logs.AppLogs;
import io.updraft.controller.placement.DeaPool;
import io.updraft.controller.runner.AppRunner;
import io.updraft.controller.scaling.Drainer;
import io.updraft.controller.scaling.LocalPlatform;
import io.updraft.controller.scaling.Scaler;
import io.updraft.controller.scaling.ScalingNodeStore;
import io.updraft.controller.scaling.ScalingPlatform;
import io.updraft.controller.scaling.ScalingPlatforms;
import io.updraft.controller.services.ServiceBindings;
import io.updraft.controller.services.ServiceBroker;
import io.updraft.controller.services.ServiceRegistry;
import io.updraft.controller.services.ServiceStore;
import io.updraft.controller.services.Services;
import io.updraft.controller.staging.DropletUrls;
import io.updraft.controller.staging.StagingCoordinator;
import io.updraft.controller.users.PasswordHasher;
import io.updraft.controller.users.TokenService;
import io.updraft.controller.users.UserStore;
import io.vertx.core.Future;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wires the cloud controller in a fixed order: data dir, database, stores, admins, API server,
 * router registration of the API host. Stops in reverse.
 */
final class ControllerVerticle extends ComponentVerticle {

  private static final Logger log = LoggerFactory.getLogger(ControllerVerticle.class);

  private final ControllerConfig config;
  private final Clock clock = Clock.systemUTC();
  private Database db;
  private ApiServer api;
  private Subscription routerStart;
  private RouteRegistration apiRoute;
  private AppRunner runner;
  private Scaler scaler;
  private Drainer drainer;
  private ServiceRegistry serviceRegistry;
  private AppLogs appLogs;
  private NodeRegistry nodeRegistry;
  private ClusterHistory history;
  private DrainForwarder drains;
  private volatile int apiPort;

  ControllerVerticle(Bus bus, Component component, ControllerConfig config) {
    super(bus, component);
    this.config = config;
  }

  @Override
  protected Future<?> startResponders() {
    return vertx.executeBlocking(this::prepareDataDir, false)
        .compose(v -> Database.open(vertx, config.database(), config.dataPath()))
        .compose(database -> {
          db = database;
          Settings settings = new Settings(db);
          return settings.secret("token_secret", 32).compose(tokenKey ->
              settings.secret("droplet_secret", 32).map(dropletKey -> new byte[][] {tokenKey,
                  dropletKey}));
        })
        .compose(keys -> {
          byte[] secret = keys[0];
          TokenService tokens = new TokenService(secret,
              Duration.ofSeconds(config.tokenExpirationSeconds()), clock);
          UserStore users = new UserStore(db,
              new PasswordHasher(config.passwordHashIterations()), clock);
          AppStore apps = new AppStore(db, clock);
          Blobstore blobs = new Blobstore(config.dataPath().resolve("blobs"));
          PackageBuilder packages = new PackageBuilder(blobs, config.dataPath().resolve("work"),
              config.maxPackageBytes());
          Supplier<String> self = () -> component.identity().localIp() + ":" + apiPort;
          DropletUrls droplets = new DropletUrls(keys[1], self, blobs);
          StagingCoordinator staging = new StagingCoordinator(vertx, bus, blobs,
              config.dataPath(), self, Duration.ofSeconds(config.stagingTimeoutSeconds()));
          // data services: the controller is the gateway to the services nodes (issue 8)
          ServiceStore serviceStore = new ServiceStore(db, clock);
          serviceRegistry = new ServiceRegistry(bus, clock,
              Duration.ofMillis(config.services().freshnessMs()));
          ServiceBroker broker = new ServiceBroker(bus,
              Duration.ofMillis(config.services().nodeTimeoutMs()));
          ServiceBindings bindings = new ServiceBindings(serviceStore, broker);
          DeaPool deaPool = new DeaPool(clock, DeaPool.DEFAULT_EXPIRY);
          runner = new AppRunner(vertx, bus, apps, staging, deaPool, droplets, config.ccPartition(),
              Duration.ofSeconds(config.startTimeoutSeconds()), bindings::forDea);
          runner.instrument(component.metrics());
          runner.start();
          serviceRegistry.start(vertx);
          // the Management Console's cluster views: nodes, DEA pool and its history
          nodeRegistry = new NodeRegistry(bus, clock);
          nodeRegistry.start();
          DeaSurvey deaSurvey = new DeaSurvey(bus, deaPool);
          history = new ClusterHistory(deaSurvey, clock, ClusterHistory.DEFAULT_INTERVAL,
              ClusterHistory.DEFAULT_CAPACITY);
          history.start(vertx);
          ClusterConfigClient clusterConfig = new ClusterConfigClient(bus,
              ClusterConfigClient.TIMEOUT);
          // DEA pool scaling (issue 9): the health manager asks, one controller acts
          EventStore events = new EventStore(db, clock);
          // reading platform files and building cloud SDK clients blocks: off the event loop
          return vertx.executeBlocking(this::platform).compose(platform -> {
            drainer = new Drainer(vertx, bus, runner, platform, events, clock,
                Drainer.Timeouts.DEFAULTS);
            drainer.start();
            scaler = new Scaler(bus, platform, events, new ScalingNodeStore(db, clock), clock)
                .instrument(component.metrics())
                .withDrainer(drainer);
            scaler.start();
            api = new ApiServer(vertx, config, users, apps, tokens, blobs, packages, runner,
                staging, droplets, bus, new Services(serviceRegistry, serviceStore, broker,
                    bindings)).withEvents(events, scaler)
                .withCluster(nodeRegistry, deaSurvey, history, clusterConfig);
            // app log streams (issue 10): recent lines kept in JetStream when the server has it
            appLogs = new AppLogs(vertx, bus,
                bus instanceof NatsBus nats ? nats.connection() : null,
                AppLogs.Retention.DEFAULTS);
            api.withLogs(appLogs);
            // log drains: each app line to its syslog endpoints, once across controllers
            DrainStore drainStore = new DrainStore(db, clock);
            drains = new DrainForwarder(vertx, bus, drainStore, config.drains(), config.domain(),
                component.metrics());
            api.withDrains(drainStore, drains);
            return ensureAdmins(users).compose(v -> appLogs.start())
                .compose(v -> drains.start()).compose(v -> api.start());
          });
        })
        .map(port -> {
          apiPort = port;
          apiRoute = new RouteRegistration(component.identity().localIp(), port,
              List.of(config.externalUri()), Map.of("component", "CloudController"), null,
              null, null);
          bus.publish(Subjects.ROUTER_REGISTER, apiRoute);
          routerStart = bus.subscribe(Subjects.ROUTER_START, RouterStart.class,
              d -> bus.publish(Subjects.ROUTER_REGISTER, apiRoute));
          bus.publish(Subjects.DEA_LOCATE, Empty.INSTANCE);
          log.atInfo().setMessage("controller.api.listening")
              .addKeyValue("port", port).addKeyValue("external_uri", config.externalUri()).log();
          return null;
        });
  }

  /**
   * The data dir holds the database (token secret, users' service credentials), every user's
   * packages and droplets and the staging logs: 0700, everything in it private, including what
   * an older version left readable. A local platform DEA's base dir holds apps' files: the DEA's
   * to manage, left as it is.
   */
  private Void prepareDataDir() throws java.io.IOException {
    Path data = config.dataPath();
    PrivateFiles.createRoot(data);
    List<Path> deaBases = new java.util.ArrayList<>();
    Path localDeas = data.resolve("local-deas");
    if (java.nio.file.Files.isDirectory(localDeas)) {
      try (var homes = java.nio.file.Files.list(localDeas)) {
        homes.forEach(home -> deaBases.add(home.resolve("base")));
      }
    }
    int changed = PrivateFiles.tighten(data, List.of(), deaBases);
    // made here, private, rather than by the body handlers with the usual modes
    for (String dir : List.of("blobs", "work", "uploads", "staging-logs")) {
      PrivateFiles.createDirectories(data.resolve(dir));
    }
    log.atDebug().setMessage("controller.data-dir.private").addKeyValue("dir", data)
        .addKeyValue("modes_changed", changed).log();
    return null;
  }

  /** The configured {@code primary_scaling_platform}. */
  private ScalingPlatform platform() {
    return switch (config.primaryScalingPlatform()) {
      case "local" -> new LocalPlatform(vertx, config.localPlatform(),
          config.dataPath().resolve("local-deas"));
      case "none" -> ScalingPlatform.none("no scaling platform is configured "
          + "(primary_scaling_platform: none)");
      case "docker" -> ScalingPlatforms.cloud(vertx, "docker", config.dockerConfig(),
          component.identity().localIp(), clock);
      case "openstack" -> ScalingPlatforms.cloud(vertx, "openstack", config.openstackConfig(),
          component.identity().localIp(), clock);
      case "ec2" -> ScalingPlatforms.cloud(vertx, "ec2", config.ec2Config(),
          component.identity().localIp(), clock);
      default -> ScalingPlatform.none("the " + config.primaryScalingPlatform()
          + " scaling platform is not available in this version");
    };
  }

  private Future<Void> ensureAdmins(UserStore users) {
    Future<Void> chain = Future.succeededFuture();
    for (ControllerConfig.Admin admin : config.admins()) {
      chain = chain.compose(v -> users.ensure(admin.email(), admin.password(), true)
          .mapEmpty());
    }
    return chain;
  }

  @Override
  protected Future<?> stopResponders() {
    if (routerStart != null) {
      routerStart.close();
    }
    if (serviceRegistry != null) {
      serviceRegistry.stop();
    }
    if (history != null) {
      history.stop();
    }
    if (nodeRegistry != null) {
      nodeRegistry.stop();
    }
    if (drainer != null) {
      drainer.stop();
    }
    Future<Void> scalerStopped = scaler == null ? Future.succeededFuture() : scaler.stop();
    if (runner != null) {
      runner.stop();
    }
    if (apiRoute != null) {
      bus.publish(Subjects.ROUTER_UNREGISTER, apiRoute);
    }
    Future<Void> stopped = api == null ? Future.succeededFuture() : api.stop();
    if (appLogs != null) {
      appLogs.stop();
    }
    if (drains != null) {
      drains.stop();
    }
    return Future.join(stopped, scalerStopped).eventually(() -> db == null ? Future.succeededFuture()
        : vertx.executeBlocking(() -> {
          db.close();
          return null;
        }));
  }

  /** The app log feeds (tests: feeds still open). */
  AppLogs appLogs() {
    return appLogs;
  }

  /** The API's port once started (tests use port 0). */
  int apiPort() {
    return apiPort;
  }
}
