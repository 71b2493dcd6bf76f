package io.updraft.dea;

import io.updraft.common.component.ComponentLauncher;
import io.updraft.common.config.BasicComponentConfig;

/**
 * Entry point of the DEA component: droplet execution agent: runs app instances. For now it joins the bus and
 * serves the shared operations surface; its own responders arrive with their issues.
 */
public final class DeaMain {

  public static final String TYPE = "DEA";

  private DeaMain() {
  }

  public static void main(String[] args) {
    ComponentLauncher.main(args, TYPE, BasicComponentConfig.class,
        runtime -> new DeaVerticle(runtime.bus(), runtime.component()));
  }
}
