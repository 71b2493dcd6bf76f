package io.updraft.controller.api;

import io.updraft.common.bus.Bus;
import io.updraft.controller.ControllerConfig;
import io.updraft.controller.apps.AppStore;
import io.updraft.controller.blobstore.Blobstore;
import io.updraft.controller.blobstore.PackageBuilder;
import io.updraft.controller.runner.AppRunner;
import io.updraft.controller.services.Services;
import io.updraft.controller.staging.DropletUrls;
import io.updraft.controller.staging.StagingCoordinator;
import io.updraft.controller.users.TokenService;
import io.updraft.controller.users.UserStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The public REST API (CF v1 compatible). Errors are always {@code {code, description}} JSON
 * with the status v1 clients expect; anything unexpected is 500/111 and logged once.
 */
public final class ApiServer {

  private static final Logger log = LoggerFactory.getLogger(ApiServer.class);
  /** JSON bodies are small; bits uploads have their own route and limit. */
  private static final long JSON_BODY_LIMIT = 1024 * 1024;

  private final Vertx vertx;
  private final ControllerConfig config;
  private final Auth auth;
  private final InfoApi info;
  private final UsersApi users;
  private final AppsApi apps;
  private final BitsApi bits;
  private final InstancesApi instances;
  private final FilesApi files;
  private final StagingCoordinator staging;
  private final DropletUrls droplets;
  private final ServicesApi services;
  private EventsApi events;
  private LogsApi logs;
  private ClusterApi cluster;
  private DrainsApi drains;
  private HttpServer server;

  public ApiServer(Vertx vertx, ControllerConfig config, UserStore userStore, AppStore appStore,
      TokenService tokens, Blobstore blobs, PackageBuilder packages, AppRunner runner,
      StagingCoordinator staging, DropletUrls droplets, Bus bus, Services services) {
    this.vertx = vertx;
    this.config = config;
    this.auth = new Auth(tokens, userStore);
    this.info = new InfoApi(config, appStore, services.store());
    this.users = new UsersApi(config, userStore, appStore, tokens);
    this.apps = new AppsApi(config, appStore, runner, services.bindings());
    this.services = new ServicesApi(config, services, appStore, runner);
    this.instances = new InstancesApi(apps, runner);
    this.files = new FilesApi(vertx, apps, bus, staging);
    this.staging = staging;
    this.droplets = droplets;
    this.bits = new BitsApi(vertx, apps, appStore, blobs, packages,
        config.dataPath().resolve("uploads"), config.maxPackageBytes());
  }

  /** Serves the events log and the manual scaling trigger; call before {@link #start()}. */
  public ApiServer withEvents(io.updraft.controller.events.EventStore store,
      io.updraft.controller.scaling.Scaler scaler) {
    this.events = new EventsApi(store, scaler);
    return this;
  }

  /** Serves {@code /updraft/apps/:name/logs} (issue 10); call before {@link #start()}. */
  public ApiServer withLogs(io.updraft.controller.logs.AppLogs appLogs) {
    this.logs = new LogsApi(apps, appLogs);
    return this;
  }

  /** Serves the admins' views of nodes, DEAs, history and cluster config; before start. */
  public ApiServer withCluster(io.updraft.controller.cluster.NodeRegistry nodes,
      io.updraft.controller.cluster.DeaSurvey deas,
      io.updraft.controller.cluster.ClusterHistory history,
      io.updraft.controller.cluster.ClusterConfigClient clusterConfig) {
    this.cluster = new ClusterApi(nodes, deas, history, clusterConfig);
    return this;
  }

  /** Serves {@code /updraft/apps/:name/drains}; call before {@link #start()}. */
  public ApiServer withDrains(io.updraft.controller.drains.DrainStore store,
      io.updraft.controller.drains.DrainForwarder forwarder) {
    this.drains = new DrainsApi(apps, store, forwarder, config.drains().maxPerApp());
    return this;
  }

  public Router router() {
    Router router = Router.router(vertx);
    // bodies are read before anything asynchronous happens; uploads have their own handler
    bits.mountUploadBody(router);
    staging.mountBody(router);
    router.routeWithRegex("^(?!/apps/[^/]+/application$|/staging/droplet/).*")
        .handler(BodyHandler.create(false).setBodyLimit(JSON_BODY_LIMIT));
    router.route().handler(auth::identify);
    info.mount(router);
    users.mount(router);
    apps.mount(router);
    services.mount(router);
    bits.mount(router);
    instances.mount(router);
    files.mount(router);
    staging.mount(router);
    droplets.mount(router);
    if (events != null) {
      events.mount(router);
    }
    if (logs != null) {
      logs.mount(router);
    }
    if (cluster != null) {
      cluster.mount(router);
    }
    ConsoleRoutes.mount(router);
    if (drains != null) {
      drains.mount(router);
    }
    router.route().failureHandler(this::failure);
    return router;
  }

  /** Listens on the configured port; completes with the actual port. */
  public Future<Integer> start() {
    return vertx.createHttpServer().requestHandler(router())
        .listen(config.port(), config.host())
        .map(s -> {
          server = s;
          return s.actualPort();
        });
  }

  public Future<Void> stop() {
    return server == null ? Future.succeededFuture() : server.close();
  }

  private void failure(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    ApiError error;
    if (failure instanceof ApiError api) {
      error = api;
    } else if (ctx.statusCode() == 413) {
      error = new ApiError(413, 100, "Request entity too large");
    } else if (ctx.statusCode() >= 400 && ctx.statusCode() < 500 && failure == null) {
      error = new ApiError(ctx.statusCode(), 100, "Bad request");
    } else {
      error = ApiError.system();
      log.atError().setMessage("api.request.failed")
          .addKeyValue("method", ctx.request().method().name())
          .addKeyValue("path", ctx.normalizedPath())
          .setCause(failure)
          .log();
    }
    if (ctx.response().ended()) {
      return;
    }
    Responses.json(ctx, error.status(), Map.of("code", error.code(),
        "description", error.getMessage()));
  }
}
