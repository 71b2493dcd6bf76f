package io.updraft.servicesnode;

import io.updraft.common.bus.Bus;
import io.updraft.common.component.Component;
import io.updraft.common.component.ComponentVerticle;
import io.updraft.servicesnode.responders.ServiceResponder;
import io.vertx.core.Future;
import java.util.List;
import java.util.function.Function;

/**
 * The ServicesNode's main verticle: one {@link ServiceResponder} per served type, started in
 * {@code ServiceType} order and stopped in reverse. The responders are built on this
 * verticle's Vert.x instance, once it is deployed.
 */
final class ServicesNodeVerticle extends ComponentVerticle {

  private final Function<io.vertx.core.Vertx, Future<List<ServiceResponder>>> factory;
  private List<ServiceResponder> responders = List.of();

  ServicesNodeVerticle(Bus bus, Component component,
      Function<io.vertx.core.Vertx, Future<List<ServiceResponder>>> factory) {
    super(bus, component);
    this.factory = factory;
  }

  @Override
  protected Future<?> startResponders() {
    return factory.apply(vertx).compose(built -> {
      responders = built;
      return Future.all(built.stream().map(ServiceResponder::start).toList());
    });
  }

  @Override
  protected Future<?> stopResponders() {
    List<Future<Void>> stops = new java.util.ArrayList<>();
    for (int i = responders.size() - 1; i >= 0; i--) {
      stops.add(responders.get(i).stop());
    }
    return Future.join(stops);
  }
}
