package io.updraft.controller.services;

import io.updraft.common.protocol.dea.ServiceBinding;
import io.updraft.controller.api.ApiError;
import io.updraft.controller.apps.App;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Binding service instances to apps the CF v1 way: the app's {@code services} list names the
 * instances (by the user's names for them) it should be bound to, and a change binds the new
 * ones and unbinds the dropped ones, one node call each (PROTOCOL.md 13.4 step 11). Also what
 * the DEA start message carries about an app's services (section 3.5).
 *
 * <p>Each binding is recorded only after its node created the credentials, and dropped only
 * after its node revoked them; a node that fails or times out leaves that binding as it was.
 */
public final class ServiceBindings {

  private static final Logger log = LoggerFactory.getLogger(ServiceBindings.class);

  private final ServiceStore store;
  private final ServiceBroker broker;

  public ServiceBindings(ServiceStore store, ServiceBroker broker) {
    this.store = store;
    this.broker = broker;
  }

  /** The names of the instances bound to the app, sorted. */
  public Future<List<String>> names(long appId) {
    return store.bindingsOfApp(appId).map(all -> all.stream()
        .map(b -> b.instance().name()).sorted().toList());
  }

  /**
   * Makes the app's bindings exactly {@code wanted} (null: leave them); completes with whether
   * anything changed. An unknown name is 404/500 before anything is bound.
   */
  public Future<Boolean> reconcile(App app, List<String> wanted) {
    if (wanted == null) {
      return Future.succeededFuture(false);
    }
    Set<String> names = new LinkedHashSet<>(wanted);
    return store.list(app.ownerId()).compose(owned -> store.bindingsOfApp(app.id())
        .compose(current -> {
          List<ServiceInstance> toBind = new ArrayList<>();
          for (String name : names) {
            ServiceInstance instance = owned.stream().filter(i -> i.name().equals(name))
                .findFirst().orElseThrow(() -> serviceNotFound(name));
            if (current.stream().noneMatch(b -> b.instance().id() == instance.id())) {
              toBind.add(instance);
            }
          }
          List<ServiceInstance.Binding> toUnbind = current.stream()
              .filter(b -> !names.contains(b.instance().name())).toList();
          Future<Void> chain = Future.succeededFuture();
          for (ServiceInstance.Binding b : toUnbind) {
            chain = chain.compose(v -> unbind(b));
          }
          for (ServiceInstance instance : toBind) {
            chain = chain.compose(v -> bind(app, instance));
          }
          return chain.map(v -> !toBind.isEmpty() || !toUnbind.isEmpty());
        }));
  }

  public static ApiError serviceNotFound(String name) {
    return new ApiError(404, 500, "Service not found: '" + name + "'");
  }

  private Future<Void> bind(App app, ServiceInstance instance) {
    return broker.bind(instance).compose(credentials -> store.addBinding(app.id(), instance,
            credentials)
        .recover(e -> broker.unbind(instance, credentials).eventually(() -> Future.failedFuture(e))
            .mapEmpty())
        .onSuccess(v -> log.atInfo().setMessage("services.bound").addKeyValue("app", app.id())
            .addKeyValue("service", instance.name()).addKeyValue("label", instance.label())
            .log()));
  }

  /** Revokes the binding's credentials on its node, then forgets it. */
  public Future<Void> unbind(ServiceInstance.Binding binding) {
    return broker.unbind(binding.instance(), binding.credentials())
        .compose(v -> store.removeBinding(binding.id()))
        .onSuccess(v -> log.atInfo().setMessage("services.unbound")
            .addKeyValue("app", binding.appId()).addKeyValue("service",
                binding.instance().name()).log());
  }

  /** Unbinds every service of the app (before it is deleted). */
  public Future<Void> unbindAll(App app) {
    return store.bindingsOfApp(app.id()).compose(all -> {
      Future<Void> chain = Future.succeededFuture();
      for (ServiceInstance.Binding b : all) {
        chain = chain.compose(v -> unbind(b));
      }
      return chain;
    });
  }

  /**
   * Before an app is deleted: unbinds what its nodes answer for; a binding whose node fails or
   * is silent is left on the node (logged as orphaned) so that a down services node never
   * blocks deleting an app. The binding rows go with the app.
   */
  public Future<Void> unbindAllForDelete(App app) {
    return store.bindingsOfApp(app.id()).compose(all -> {
      Future<Void> chain = Future.succeededFuture();
      for (ServiceInstance.Binding b : all) {
        chain = chain.compose(v -> unbind(b).recover(e -> {
          log.atWarn().setMessage("services.binding.orphaned").addKeyValue("app", app.id())
              .addKeyValue("service", b.instance().name())
              .addKeyValue("node_id", b.instance().nodeId())
              .addKeyValue("error", String.valueOf(e.getMessage())).log();
          return Future.succeededFuture();
        }));
      }
      return chain;
    });
  }

  /** The {@code services} of the app's DEA start messages: its bindings with credentials. */
  public Future<List<ServiceBinding>> forDea(App app) {
    return store.bindingsOfApp(app.id()).map(all -> all.stream().map(b -> {
      ServiceInstance i = b.instance();
      return new ServiceBinding(i.name(), i.label(), i.type().serviceName(), i.version(),
          i.type().category(), i.type().tags(), i.plan(), null, b.credentials(),
          Map.of());
    }).toList());
  }
}
