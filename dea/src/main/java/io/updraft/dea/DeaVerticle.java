package io.updraft.dea;

import io.updraft.common.bus.Bus;
import io.updraft.common.component.Component;
import io.updraft.common.component.ComponentVerticle;
import io.vertx.core.Future;

/** The DEA's main verticle. */
final class DeaVerticle extends ComponentVerticle {

  DeaVerticle(Bus bus, Component component) {
    super(bus, component);
  }

  @Override
  protected Future<?> startResponders() {
    return Future.succeededFuture();
  }
}
