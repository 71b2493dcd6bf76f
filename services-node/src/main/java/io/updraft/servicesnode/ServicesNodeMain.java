package io.updraft.servicesnode;

import io.updraft.common.component.ComponentLauncher;
import io.updraft.common.config.BasicComponentConfig;

/**
 * Entry point of the ServicesNode component: services node: provisions and binds data services. For now it joins the bus and
 * serves the shared operations surface; its own responders arrive with their issues.
 */
public final class ServicesNodeMain {

  public static final String TYPE = "ServicesNode";

  private ServicesNodeMain() {
  }

  public static void main(String[] args) {
    ComponentLauncher.main(args, TYPE, BasicComponentConfig.class,
        runtime -> new ServicesNodeVerticle(runtime.bus(), runtime.component()));
  }
}
