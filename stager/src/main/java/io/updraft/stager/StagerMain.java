package io.updraft.stager;

import io.updraft.common.component.ComponentLauncher;
import io.updraft.common.config.BasicComponentConfig;

/**
 * Entry point of the Stager component: stager: turns app packages into droplets with buildpacks. For now it joins the bus and
 * serves the shared operations surface; its own responders arrive with their issues.
 */
public final class StagerMain {

  public static final String TYPE = "Stager";

  private StagerMain() {
  }

  public static void main(String[] args) {
    ComponentLauncher.main(args, TYPE, BasicComponentConfig.class,
        runtime -> new StagerVerticle(runtime.bus(), runtime.component()));
  }
}
