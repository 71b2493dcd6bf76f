package io.updraft.stager;

import io.updraft.common.bus.Bus;
import io.updraft.common.component.Component;
import io.updraft.common.component.ComponentVerticle;
import io.vertx.core.Future;

/** The Stager's main verticle. */
final class StagerVerticle extends ComponentVerticle {

  StagerVerticle(Bus bus, Component component) {
    super(bus, component);
  }

  @Override
  protected Future<?> startResponders() {
    return Future.succeededFuture();
  }
}
