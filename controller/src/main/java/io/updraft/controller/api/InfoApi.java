package io.updraft.controller.api;

import io.updraft.controller.ControllerConfig;
import io.updraft.controller.apps.AppStore;
import io.updraft.controller.apps.Catalog;
import io.updraft.controller.services.ServiceStore;
import io.vertx.core.Future;
import io.updraft.controller.users.User;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code GET /info} and {@code /info/runtimes}. Clients check {@code name}, {@code build},
 * {@code version}, {@code support} to accept a target, and {@code user} plus {@code usage} to
 * decide they are logged in.
 */
final class InfoApi {

  static final String VERSION = "0.999";

  private final ControllerConfig config;
  private final AppStore apps;

  /** Counts the caller's services for {@code usage.services}; null: none. */
  private final ServiceStore services;

  InfoApi(ControllerConfig config, AppStore apps) {
    this(config, apps, null);
  }

  InfoApi(ControllerConfig config, AppStore apps, ServiceStore services) {
    this.config = config;
    this.apps = apps;
    this.services = services;
  }

  void mount(Router router) {
    router.get("/info").handler(this::info);
    router.get("/info/runtimes").handler(ctx -> Responses.json(ctx, 200, Catalog.runtimesJson()));
  }

  private void info(RoutingContext ctx) {
    Map<String, Object> info = new LinkedHashMap<>();
    info.put("name", "vcap");
    info.put("build", 2222);
    info.put("support", "https://" + config.externalUri() + "/support");
    info.put("version", VERSION);
    info.put("description", "Updraft private PaaS");
    info.put("allow_debug", false);
    info.put("updraft", Map.of("version", "0.1.0", "domain", config.domain()));
    info.put("frameworks", Catalog.frameworksJson());
    var caller = Auth.caller(ctx);
    if (caller.isEmpty()) {
      Responses.json(ctx, 200, info);
      return;
    }
    User user = caller.get();
    ControllerConfig.Limits limits = user.admin() ? config.adminLimits() : config.defaultLimits();
    Future<Integer> serviceCount = services == null ? Future.succeededFuture(0)
        : services.count(user.id());
    apps.usage(user.id()).compose(usage -> serviceCount.map(count -> {
      info.put("user", user.email());
      info.put("limits", Map.of("memory", limits.memoryMb(), "app_uris", limits.appUris(),
          "services", limits.services(), "apps", limits.apps()));
      info.put("usage", Map.of("memory", usage.memoryMb(), "apps", usage.apps(),
          "services", count));
      return info;
    })).onSuccess(done -> Responses.json(ctx, 200, info)).onFailure(ctx::fail);
  }
}
