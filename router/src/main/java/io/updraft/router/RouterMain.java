package io.updraft.router;

import io.updraft.common.component.ComponentLauncher;
import io.updraft.common.config.BasicComponentConfig;

/**
 * Entry point of the Router component: router: the HTTP and WebSocket front door. For now it joins the bus and
 * serves the shared operations surface; its own responders arrive with their issues.
 */
public final class RouterMain {

  public static final String TYPE = "Router";

  private RouterMain() {
  }

  public static void main(String[] args) {
    ComponentLauncher.main(args, TYPE, BasicComponentConfig.class,
        runtime -> new RouterVerticle(runtime.bus(), runtime.component()));
  }
}
