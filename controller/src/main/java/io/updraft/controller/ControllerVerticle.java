package io.updraft.controller;

import io.updraft.common.bus.Bus;
import io.updraft.common.component.Component;
import io.updraft.common.component.ComponentVerticle;
import io.vertx.core.Future;

/** The CloudController's main verticle. */
final class ControllerVerticle extends ComponentVerticle {

  ControllerVerticle(Bus bus, Component component) {
    super(bus, component);
  }

  @Override
  protected Future<?> startResponders() {
    return Future.succeededFuture();
  }
}
