package io.updraft.controller;

import io.updraft.common.component.ComponentLauncher;
import io.updraft.common.config.BasicComponentConfig;

/**
 * Entry point of the CloudController component: cloud controller: REST API, apps, staging orchestration, placement, DEA scaling. For now it joins the bus and
 * serves the shared operations surface; its own responders arrive with their issues.
 */
public final class ControllerMain {

  public static final String TYPE = "CloudController";

  private ControllerMain() {
  }

  public static void main(String[] args) {
    ComponentLauncher.main(args, TYPE, BasicComponentConfig.class,
        runtime -> new ControllerVerticle(runtime.bus(), runtime.component()));
  }
}
