package io.updraft.healthmanager;

import io.updraft.common.component.ComponentLauncher;
import io.updraft.common.config.BasicComponentConfig;

/**
 * Entry point of the HealthManager component: health manager: keeps apps at their desired instances, grows the DEA pool. For now it joins the bus and
 * serves the shared operations surface; its own responders arrive with their issues.
 */
public final class HealthManagerMain {

  public static final String TYPE = "HealthManager";

  private HealthManagerMain() {
  }

  public static void main(String[] args) {
    ComponentLauncher.main(args, TYPE, BasicComponentConfig.class,
        runtime -> new HealthManagerVerticle(runtime.bus(), runtime.component()));
  }
}
