package io.updraft.controller.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.updraft.common.protocol.services.ServiceErrors;
import io.updraft.common.protocol.services.ServiceType;
import io.updraft.controller.ControllerConfig;
import io.updraft.controller.apps.App;
import io.updraft.controller.apps.AppStore;
import io.updraft.controller.runner.AppRunner;
import io.updraft.controller.services.ServiceBindings;
import io.updraft.controller.services.ServiceInstance;
import io.updraft.controller.services.ServiceRegistry;
import io.updraft.controller.services.Services;
import io.updraft.controller.users.User;
import io.vertx.core.Future;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The legacy services API (PROTOCOL.md 12.2, 15): the offerings with their availability, and
 * the caller's provisioned instances. The controller is the gateway: provisioning asks a fresh
 * node of the type over NATS and records the instance only once the node has created it.
 * Binding is done through {@code PUT /apps/:name} (see {@link ServiceBindings}).
 */
final class ServicesApi {

  private static final Logger log = LoggerFactory.getLogger(ServicesApi.class);
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
  static final String AVAILABLE = "available";
  static final String UNAVAILABLE = "unavailable";

  private final ControllerConfig config;
  private final Services services;
  private final ServiceRegistry registry;
  private final AppStore apps;
  private final AppRunner runner;

  ServicesApi(ControllerConfig config, Services services, AppStore apps, AppRunner runner) {
    this.config = config;
    this.services = services;
    this.registry = services.registry();
    this.apps = apps;
    this.runner = runner;
  }

  void mount(Router router) {
    router.get("/info/services").handler(this::offerings);
    router.get("/services").handler(this::list);
    router.get("/services/:name").handler(this::show);
    router.post("/services").handler(this::create);
    router.delete("/services/:name").handler(this::delete);
  }

  /**
   * {@code type → vendor → version → offering}; every type Updraft knows is listed, with
   * {@code state} {@code available} while a node announced it within the freshness window and
   * {@code unavailable} otherwise (Updraft additions: {@code state}, {@code available}).
   */
  private void offerings(RoutingContext ctx) {
    Auth.required(ctx);
    Map<String, Map<String, Map<String, Object>>> out = new LinkedHashMap<>();
    for (ServiceType type : ServiceType.values()) {
      boolean available = registry.available(type);
      String version = registry.version(type).orElse("unknown");
      List<String> plans = registry.plans(type);
      Map<String, Object> tiers = new LinkedHashMap<>();
      for (int i = 0; i < plans.size(); i++) {
        tiers.put(plans.get(i), Map.of("options", Map.of(), "order", i + 1));
      }
      Map<String, Object> offering = new LinkedHashMap<>();
      offering.put("id", type.serviceName());
      offering.put("vendor", type.serviceName());
      offering.put("version", version);
      offering.put("type", type.category());
      offering.put("description", type.description());
      offering.put("tiers", tiers);
      offering.put("provider", "core");
      offering.put("default_plan", plans.isEmpty() ? "free" : plans.get(0));
      offering.put("tags", type.tags());
      offering.put("state", available ? AVAILABLE : UNAVAILABLE);
      offering.put("available", available);
      offering.put("nodes", registry.fresh(type).size());
      out.computeIfAbsent(type.category(), k -> new LinkedHashMap<>())
          .put(type.serviceName(), Map.of(version, offering));
    }
    Responses.json(ctx, 200, out);
  }

  private Map<String, Object> render(ServiceInstance i, List<String> boundApps) {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("name", i.name());
    doc.put("service_id", i.serviceId());
    doc.put("type", i.type().category());
    doc.put("vendor", i.type().serviceName());
    doc.put("provider", "core");
    doc.put("version", i.version());
    doc.put("tier", i.plan());
    doc.put("label", i.label());
    doc.put("properties", Map.of());
    doc.put("meta", Map.of("created", i.createdAt(), "updated", i.createdAt(),
        "tags", i.type().tags(), "version", 1));
    doc.put("state", registry.available(i.type()) ? AVAILABLE : UNAVAILABLE);
    doc.put("bound_apps", boundApps);
    return doc;
  }

  private void list(RoutingContext ctx) {
    User user = Auth.required(ctx);
    Responses.reply(ctx, services.store().list(user.id()).compose(all -> services.store()
        .bindingsOfOwner(user.id()).map(bindings -> all.stream().map(i -> render(i,
            bindings.stream().filter(b -> b.instance().id() == i.id())
                .map(ServiceInstance.Binding::appName).toList())).toList())));
  }

  private Future<ServiceInstance> owned(User user, String name) {
    return services.store().find(user.id(), name)
        .map(found -> found.orElseThrow(() -> ServiceBindings.serviceNotFound(name)));
  }

  private void show(RoutingContext ctx) {
    User user = Auth.required(ctx);
    Responses.reply(ctx, owned(user, ctx.pathParam("name")).compose(i -> services.store()
        .bindingsOfInstance(i.id()).map(b -> render(i, b.stream()
            .map(ServiceInstance.Binding::appName).toList()))));
  }

  /** {@code POST /services} {@code {name, vendor|label, tier|plan, version?}}. */
  private void create(RoutingContext ctx) {
    User user = Auth.required(ctx);
    JsonNode body = Bodies.json(ctx);
    String name = Bodies.text(body, "name");
    if (name == null || !NAME.matcher(name).matches()) {
      throw ApiError.badRequest("Bad request: a service name is 1-64 letters, digits, '.', "
          + "'_' or '-', starting with a letter or digit");
    }
    String vendor = Bodies.text(body, "vendor");
    String label = Bodies.text(body, "label");
    if (vendor == null && label != null) {
      vendor = label.contains("-") ? label.substring(0, label.lastIndexOf('-')) : label;
    }
    if (vendor == null) {
      throw ApiError.badRequest("Bad request: vendor (the service type) is required; offered: "
          + String.join(", ", ServiceType.names()));
    }
    String wantedVendor = vendor;
    ServiceType type = ServiceType.byName(vendor).orElseThrow(() -> new ApiError(404, 500,
        "Unknown service type '" + wantedVendor + "'; offered: "
            + String.join(", ", ServiceType.names())));
    String tier = Bodies.text(body, "tier");
    String plan = tier != null ? tier : Bodies.text(body, "plan");
    String wantedPlan = plan == null ? "free" : plan;
    ControllerConfig.Limits limits = user.admin() ? config.adminLimits()
        : config.defaultLimits();
    services.store().count(user.id()).compose(count -> {
      if (count >= limits.services()) {
        throw new ApiError(403, 504, "Too many Services provisioned: " + count
            + ", you're allowed: " + limits.services());
      }
      return services.store().find(user.id(), name);
    }).compose(existing -> {
      if (existing.isPresent()) {
        throw ApiError.badRequest("A service named '" + name + "' already exists");
      }
      ServiceRegistry.Node node = pickNode(type, wantedPlan);
      String version = node.announcement().supportedVersions().isEmpty() ? "unknown"
          : node.announcement().supportedVersions().get(0);
      String nodeId = node.announcement().id();
      return services.broker().provision(type, nodeId, wantedPlan, version)
          .compose(credentials -> {
            registry.consumed(type, nodeId);
            return services.store().create(user.id(), name, type, version, wantedPlan,
                    nodeId, credentials)
                // recorded nowhere: take it back from the node, then report why
                .recover(e -> services.broker().unprovision(new ServiceInstance(0, user.id(),
                        name, type, version, wantedPlan, nodeId,
                        String.valueOf(credentials.get("name")), credentials, 0), List.of())
                    .eventually(() -> Future.failedFuture(e)).mapEmpty());
          });
    }).onSuccess(instance -> {
      log.atInfo().setMessage("services.provisioned").addKeyValue("user", user.id())
          .addKeyValue("service", instance.name()).addKeyValue("label", instance.label())
          .addKeyValue("node_id", instance.nodeId()).log();
      Responses.json(ctx, 200, render(instance, List.of()));
    }).onFailure(ctx::fail);
  }

  /** A fresh node of the type and plan with room, or the reason there is none. */
  private ServiceRegistry.Node pickNode(ServiceType type, String plan) {
    if (!registry.available(type)) {
      throw new ApiError(503, ServiceErrors.SERVICE_UNAVAILABLE, "Service " + type.serviceName()
          + " is unavailable: no node has announced it in the last "
          + registry.freshness().toSeconds() + " s");
    }
    List<String> plans = registry.plans(type);
    if (!plans.contains(plan)) {
      throw new ApiError(404, 500, "Unknown plan '" + plan + "' for " + type.serviceName()
          + "; plans: " + String.join(", ", plans));
    }
    return registry.pick(type, plan).orElseThrow(() -> new ApiError(503,
        ServiceErrors.CAPACITY_EXHAUSTED, "No capacity left for " + type.serviceName()
            + " (plan " + plan + "): every node is full"));
  }

  /**
   * {@code DELETE /services/:name[?force=true]}: a bound instance is refused unless forced,
   * which unbinds it from every app first (restarting those that run).
   */
  private void delete(RoutingContext ctx) {
    User user = Auth.required(ctx);
    String name = ctx.pathParam("name");
    boolean force = "true".equalsIgnoreCase(ctx.request().getParam("force"));
    owned(user, name).compose(instance -> services.store().bindingsOfInstance(instance.id())
        .compose(bindings -> {
          if (!bindings.isEmpty() && !force) {
            Set<String> appNames = new LinkedHashSet<>();
            bindings.forEach(b -> appNames.add(b.appName()));
            throw ApiError.badRequest("Service '" + name + "' is bound to "
                + (appNames.size() == 1 ? "app " : "apps ") + String.join(", ", appNames)
                + "; unbind it first, or delete it with force");
          }
          Future<Void> chain = Future.succeededFuture();
          List<Long> restart = new ArrayList<>();
          for (ServiceInstance.Binding b : bindings) {
            chain = chain.compose(v -> services.bindings().unbind(b))
                .onSuccess(v -> restart.add(b.appId()));
          }
          return chain.compose(v -> services.broker().unprovision(instance, List.of()))
              .compose(v -> services.store().delete(instance.id()))
              .onSuccess(v -> {
                log.atInfo().setMessage("services.unprovisioned").addKeyValue("user", user.id())
                    .addKeyValue("service", name).addKeyValue("unbound_apps", restart.size())
                    .log();
                restart.forEach(this::restartIfRunning);
              });
        }))
        .onSuccess(v -> Responses.json(ctx, 200, Map.of()))
        .onFailure(ctx::fail);
  }

  /** A running app restarts, rolling, to lose (or gain) a service. */
  private void restartIfRunning(long appId) {
    apps.findById(appId).onSuccess(found -> found.filter(App::started)
        .filter(a -> App.STAGED.equals(a.packageState()))
        .ifPresent(runner::redeploy));
  }
}
