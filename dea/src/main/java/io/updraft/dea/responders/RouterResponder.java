package io.updraft.dea.responders;

import io.updraft.common.bus.Bus;
import io.updraft.common.protocol.Subjects;
import io.updraft.common.protocol.router.RouteRegistration;
import io.updraft.common.protocol.router.RouterStart;
import io.updraft.dea.instance.Instance;
import io.updraft.dea.instance.InstanceRegistry;
import io.updraft.dea.instance.InstanceState;
import io.vertx.core.Vertx;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The instances' routes (PROTOCOL.md 6.1): {@code router.register} when an instance becomes
 * RUNNING, {@code router.unregister} when it leaves RUNNING, everything again on
 * {@code router.start}. Only instances with URIs and a port are routed.
 */
public final class RouterResponder implements Responder {

  private final Vertx vertx;
  private final Bus bus;
  private final InstanceRegistry registry;
  private final DeaIdentity dea;
  private final Subscriptions subs = new Subscriptions();
  private boolean started;

  public RouterResponder(Vertx vertx, Bus bus, InstanceRegistry registry, DeaIdentity dea) {
    this.vertx = vertx;
    this.bus = bus;
    this.registry = registry;
    this.dea = dea;
    registry.onTransition(t -> {
      if (!started) {
        return;
      }
      if (t.to() == InstanceState.RUNNING) {
        register(t.instance(), t.instance().uris());
      } else if (t.from() == InstanceState.RUNNING) {
        unregister(t.instance(), t.instance().uris());
      }
    });
  }

  @Override
  public void start() {
    started = true;
    subs.add(bus.subscribe(Subjects.ROUTER_START, RouterStart.class, d -> registerAll()));
  }

  @Override
  public void stop() {
    started = false;
    subs.close(vertx);
  }

  /** Every RUNNING instance's routes (router restart, DEA re-adoption). */
  public void registerAll() {
    registry.all().stream().filter(i -> i.state() == InstanceState.RUNNING)
        .forEach(i -> register(i, i.uris()));
  }

  public void register(Instance instance, List<String> uris) {
    RouteRegistration r = registration(instance, uris);
    if (r != null) {
      bus.publish(Subjects.ROUTER_REGISTER, r);
    }
  }

  public void unregister(Instance instance, List<String> uris) {
    RouteRegistration r = registration(instance, uris);
    if (r != null) {
      bus.publish(Subjects.ROUTER_UNREGISTER, r);
    }
  }

  private RouteRegistration registration(Instance instance, List<String> uris) {
    if (uris.isEmpty() || instance.port() == null) {
      return null;
    }
    Map<String, String> tags = new LinkedHashMap<>();
    if (instance.request().framework() != null) {
      tags.put("framework", instance.request().framework());
    }
    if (instance.request().runtimeName() != null) {
      tags.put("runtime", instance.request().runtimeName());
    }
    return new RouteRegistration(instance.host(dea.host()), instance.port(), uris, tags, dea.id(),
        instance.droplet(), instance.privateId());
  }
}
