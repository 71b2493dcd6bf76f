package io.updraft.controller.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.updraft.common.protocol.Json;
import io.updraft.controller.ControllerConfig;
import io.updraft.controller.apps.App;
import io.updraft.controller.apps.AppJson;
import io.updraft.controller.apps.AppRules;
import io.updraft.controller.apps.AppStore;
import io.updraft.controller.apps.Catalog;
import io.updraft.controller.runner.AppRunner;
import io.updraft.controller.services.ServiceBindings;
import io.updraft.controller.users.User;
import io.vertx.core.Future;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The app resource of the CF v1 API (PROTOCOL.md 13.1-13.6). Every {@code /apps/:name} route
 * looks the name up among the caller's own apps; anyone else's app is 404/301.
 */
final class AppsApi {

  private final ControllerConfig config;
  private final AppStore apps;
  private final AppRunner runner;

  /** Binds and unbinds data services through {@code services} (null: no services). */
  private final ServiceBindings services;

  AppsApi(ControllerConfig config, AppStore apps, AppRunner runner) {
    this(config, apps, runner, null);
  }

  AppsApi(ControllerConfig config, AppStore apps, AppRunner runner, ServiceBindings services) {
    this.config = config;
    this.apps = apps;
    this.runner = runner;
    this.services = services;
  }

  private Future<List<String>> serviceNames(App app) {
    return services == null ? Future.succeededFuture(List.of()) : services.names(app.id());
  }

  void mount(Router router) {
    router.get("/apps").handler(this::list);
    router.post("/apps").handler(this::create);
    router.get("/apps/:name").handler(this::show);
    router.put("/apps/:name").handler(this::update);
    router.delete("/apps/:name").handler(this::delete);
    router.put("/apps/:name/update").handler(this::redeploy);
  }

  private Future<Map<String, Object>> render(App app) {
    return runner.health().healthy(List.of(app)).compose(healthy -> render(app, healthy));
  }

  /**
   * {@code runningInstances} from the health manager; asks the DEAs when it has no figure
   * (none runs, or it has not heard of the app yet).
   */
  private Future<Map<String, Object>> render(App app, Map<Long, Integer> healthy) {
    Integer known = healthy.get(app.id());
    Future<Integer> running = known != null ? Future.succeededFuture(known)
        : runner.running(app);
    return running.compose(count -> serviceNames(app)
        .map(names -> AppJson.render(app, count, names)));
  }

  private ControllerConfig.Limits limits(User user) {
    return user.admin() ? config.adminLimits() : config.defaultLimits();
  }

  /** The caller's app of that name, or 404/301. */
  Future<App> owned(RoutingContext ctx) {
    User user = Auth.required(ctx);
    return apps.find(user.id(), ctx.pathParam("name"))
        .map(found -> found.orElseThrow(ApiError::appNotFound));
  }

  private void list(RoutingContext ctx) {
    User user = Auth.required(ctx);
    Responses.reply(ctx, apps.list(user.id()).compose(all -> runner.health().healthy(all)
        .compose(healthy -> Future.all(all.stream().map(a -> render(a, healthy)).toList()))
        .map(done -> done.<Map<String, Object>>list())));
  }

  private void show(RoutingContext ctx) {
    Responses.reply(ctx, owned(ctx).compose(this::render));
  }

  private void create(RoutingContext ctx) {
    User user = Auth.required(ctx);
    JsonNode body = Bodies.json(ctx);
    String name = AppRules.name(Bodies.text(body, "name"));
    ControllerConfig.Limits limits = limits(user);
    apps.usage(user.id()).compose(usage -> {
      if (usage.apps() >= limits.apps()) {
        throw ApiError.tooManyApps(usage.apps() + 1, limits.apps());
      }
      App.Builder draft = App.draft(user.id(), name);
      App app = apply(body, draft, user, true).build();
      checkMemory(app, null, usage, limits);
      checkStartable(app);
      List<String> wanted = services == null ? null : Bodies.strings(body, "services");
      return apps.create(app).compose(created -> wanted == null
          ? runner.apply(null, created)
          // services in the create body (CF v1): a failure deletes the half-created app
          : services.reconcile(created, wanted)
              .recover(e -> services.unbindAll(created).eventually(() -> apps.delete(
                  created.id())).compose(v -> Future.<Boolean>failedFuture(e)))
              .compose(bound -> runner.apply(null, created)));
    }).onSuccess(app -> {
      String location = "http://" + config.externalUri() + "/apps/" + app.name();
      ctx.response().putHeader("Location", location);
      Responses.json(ctx, 302, Map.of("result", "success", "redirect", location));
    }).onFailure(ctx::fail);
  }

  private void update(RoutingContext ctx) {
    User user = Auth.required(ctx);
    JsonNode body = Bodies.json(ctx);
    owned(ctx).compose(current -> {
      Integer lock = Bodies.integer(body.path("meta"), "version");
      if (lock != null && lock != current.lockVersion()) {
        throw ApiError.lockConflict();
      }
      App changed = apply(body, current.toBuilder(), user, false).build();
      return apps.usage(user.id()).compose(usage -> {
        checkMemory(changed, current, usage, limits(user));
        checkStartable(changed);
        // services (issue 8): bind/unbind first, so a node that fails changes nothing else;
        // a running app then restarts, rolling, to see the change in VCAP_SERVICES
        List<String> wanted = services == null ? null : Bodies.strings(body, "services");
        Future<Boolean> rebound = wanted == null ? Future.succeededFuture(false)
            : services.reconcile(current, wanted);
        return rebound.compose(changedBindings -> apps.update(changed)
            .compose(stored -> runner.apply(current, stored).compose(applied ->
                changedBindings && current.started() && stored.started()
                    && App.STAGED.equals(stored.packageState())
                    ? runner.redeploy(applied) : Future.succeededFuture(applied))));
      });
    }).onSuccess(app -> Responses.empty(ctx, 200)).onFailure(ctx::fail);
  }

  private void delete(RoutingContext ctx) {
    owned(ctx).compose(app -> (services == null ? Future.<Void>succeededFuture()
            : services.unbindAllForDelete(app)).compose(v0 -> apps.delete(app.id()))
            .compose(v -> runner.apply(app, app.toBuilder().state(App.STOPPED).build())))
        .onSuccess(v -> Responses.empty(ctx, 200)).onFailure(ctx::fail);
  }

  /** {@code PUT /apps/:name/update}: restage if needed and roll to a new version (204). */
  private void redeploy(RoutingContext ctx) {
    owned(ctx).compose(app -> {
      if (!app.started()) {
        throw new ApiError(400, 305, "Operation not permitted on a stopped app");
      }
      return runner.redeploy(app);
    }).onSuccess(app -> Responses.empty(ctx, 204)).onFailure(ctx::fail);
  }

  /** Starting needs bits: a started app without a package is refused before it is stored. */
  private static void checkStartable(App app) {
    if (app.started() && app.packageSha1() == null) {
      throw ApiError.invalidApp("no application bits uploaded yet; push the app first");
    }
  }

  /** Applies the fields present in a create or update body; absent fields stay as they are. */
  private App.Builder apply(JsonNode body, App.Builder app, User user, boolean creating) {
    String state = Bodies.text(body, "state");
    if (state != null) {
      String upper = state.toUpperCase(Locale.ROOT);
      if (!upper.equals(App.STARTED) && !upper.equals(App.STOPPED)) {
        throw ApiError.invalidApp("state must be STARTED or STOPPED");
      }
      app.state(upper);
    }
    Integer instances = Bodies.integer(body, "instances");
    if (instances != null) {
      app.instances(AppRules.instances(instances));
    }
    Integer memory = Bodies.integer(body.path("resources"), "memory");
    if (memory != null) {
      app.memoryMb(AppRules.memory(memory));
    }
    List<String> env = Bodies.strings(body, "env");
    if (env != null) {
      app.env(AppRules.env(env));
    }
    JsonNode staging = body.path("staging");
    if (!Bodies.isNull(staging)) {
      String framework = first(Bodies.text(staging, "framework"), Bodies.text(staging, "model"));
      String runtime = first(Bodies.text(staging, "runtime"), Bodies.text(staging, "stack"));
      String command = Bodies.text(staging, "command");
      app.staging(framework(framework), runtime(framework(framework), runtime), command);
    } else if (creating) {
      app.staging(null, null, null);
    }
    List<String> uris = Bodies.strings(body, "uris");
    if (uris != null) {
      app.uris(AppRules.uris(uris, config.domain(), config.externalUri(), user.admin(),
          limits(user).appUris()));
    }
    JsonNode meta = body.path("meta");
    if (meta.isObject()) {
      Map<String, Object> stored = new LinkedHashMap<>();
      for (String key : List.of("debug", "console", "command")) {
        if (!Bodies.isNull(meta.path(key))) {
          stored.put(key, Json.mapper().convertValue(meta.path(key), Object.class));
        }
      }
      app.meta(stored);
    }
    return app;
  }

  /**
   * Legacy framework strings ({@code nodejs/1.0}, {@code java_web/1.0}) map to ours; an unknown
   * framework is 400/308; absent means the stager detects it.
   */
  private static String framework(String given) {
    if (given == null) {
      return null;
    }
    String name = given.contains("/") ? given.substring(0, given.indexOf('/')) : given;
    name = switch (name) {
      case "nodejs" -> "node";
      case "java_web", "spring", "grails", "lift" -> "java";
      case "wsgi", "django", "flask" -> "python";
      default -> name;
    };
    if (Catalog.framework(name).isEmpty()) {
      throw new ApiError(400, 308, "Invalid framework description: '" + given + "'");
    }
    return name;
  }

  private static String runtime(String framework, String given) {
    if (given == null) {
      return framework == null ? null
          : Catalog.framework(framework).orElseThrow().runtimes().get(0);
    }
    if (!Catalog.knownRuntime(given) || (framework != null
        && !Catalog.framework(framework).orElseThrow().runtimes().contains(given))) {
      throw new ApiError(400, 307, "Invalid runtime specification [" + given
          + "] for framework: '" + framework + "'");
    }
    return given;
  }

  private static String first(String a, String b) {
    return a != null ? a : b;
  }

  /** A started app's memory must fit the quota, counting what it already used (403/600). */
  private static void checkMemory(App changed, App before, AppStore.Usage usage,
      ControllerConfig.Limits limits) {
    if (!changed.started()) {
      return;
    }
    int already = before != null && before.started() ? before.memoryMb() * before.instances() : 0;
    int needed = changed.memoryMb() * changed.instances();
    if (usage.memoryMb() - already + needed > limits.memoryMb()) {
      throw ApiError.notEnoughMemory(limits.memoryMb());
    }
  }
}
