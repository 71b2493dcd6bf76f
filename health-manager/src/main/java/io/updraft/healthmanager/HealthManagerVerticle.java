package io.updraft.healthmanager;

import io.updraft.common.bus.Bus;
import io.updraft.common.component.Component;
import io.updraft.common.component.ComponentVerticle;
import io.vertx.core.Future;

/** The HealthManager's main verticle. */
final class HealthManagerVerticle extends ComponentVerticle {

  HealthManagerVerticle(Bus bus, Component component) {
    super(bus, component);
  }

  @Override
  protected Future<?> startResponders() {
    return Future.succeededFuture();
  }
}
