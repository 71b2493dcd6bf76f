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
  private static final String ALLOCATOR_PROPERTY = "io.netty.allocator.type";

  private RouterMain() {
  }

  public static void main(String[] args) {
    // Netty's pooled allocator (thread-local caches) costs the proxy less CPU per request than
    // the adaptive default, for a few MB more memory; set before any Netty class loads
    if (System.getProperty(ALLOCATOR_PROPERTY) == null) {
      System.setProperty(ALLOCATOR_PROPERTY, "pooled");
    }
    // the router measures requests per route itself; Vert.x's HTTP metrics would double the
    // cost on every proxied request (client and server side)
    ComponentLauncher.main(args, TYPE, RouterConfig.class, RouterVerticle::new,
        EnumSet.of(MetricsDomain.HTTP_SERVER, MetricsDomain.HTTP_CLIENT));
  }
}
