package io.updraft.servicesnode;

import io.updraft.common.bus.Bus;
import io.updraft.common.component.Component;
import io.updraft.common.component.ComponentVerticle;
import io.vertx.core.Future;

/** The ServicesNode's main verticle. */
final class ServicesNodeVerticle extends ComponentVerticle {

  ServicesNodeVerticle(Bus bus, Component component) {
    super(bus, component);
  }

  @Override
  protected Future<?> startResponders() {
    return Future.succeededFuture();
  }
}
