package io.updraft.router;

import io.updraft.common.component.ComponentLauncher;
import io.vertx.micrometer.MetricsDomain;
import java.util.EnumSet;

/**
 * Entry point of the router, the HTTP and WebSocket front door: its route table comes from
 * {@code router.register}/{@code router.unregister} on NATS (PROTOCOL.md 6).
 */
public final class RouterMain {

  public static final String TYPE = "Router";

  private RouterMain() {
  }

  public static void main(String[] args) {
    // the router measures requests per route itself; Vert.x's HTTP metrics would double the
    // cost on every proxied request (client and server side)
    ComponentLauncher.main(args, TYPE, RouterConfig.class, RouterVerticle::new,
        EnumSet.of(MetricsDomain.HTTP_SERVER, MetricsDomain.HTTP_CLIENT));
  }
}
