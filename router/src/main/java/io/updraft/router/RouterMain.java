package io.updraft.router;

import io.updraft.common.component.ComponentLauncher;

/**
 * Entry point of the router, the HTTP and WebSocket front door: its route table comes from
 * {@code router.register}/{@code router.unregister} on NATS (PROTOCOL.md 6).
 */
public final class RouterMain {

  public static final String TYPE = "Router";

  private RouterMain() {
  }

  public static void main(String[] args) {
    ComponentLauncher.main(args, TYPE, RouterConfig.class, RouterVerticle::new);
  }
}
