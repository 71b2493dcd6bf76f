package io.updraft.common.component;

import io.updraft.common.bus.Bus;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;

/**
 * The main verticle of a component. It starts the shared operations surface
 * ({@link Component}) on its own event loop, then the component's own responders; it stops
 * them in reverse order.
 */
public abstract class ComponentVerticle extends VerticleBase {

  protected final Bus bus;
  protected final Component component;

  protected ComponentVerticle(Bus bus, Component component) {
    this.bus = bus;
    this.component = component;
  }

  @Override
  public final Future<?> start() {
    // started means subscribed (the flush makes subscriptions live on the server), and the
    // component is found on the bus only once it is ready
    return component.start().compose(v -> startResponders()).compose(v -> bus.flush())
        .onSuccess(v -> component.announce());
  }

  @Override
  public final Future<?> stop() {
    return stopResponders().eventually(component::stop);
  }

  /** Subscribes and arms timers; runs on this verticle's event loop. */
  protected abstract Future<?> startResponders();

  protected Future<?> stopResponders() {
    return Future.succeededFuture();
  }
}
