package io.updraft.controller;

import io.updraft.common.component.ComponentLauncher;

/**
 * Entry point of the cloud controller: the public REST API (CF v1 compatible), users and
 * tokens, apps and routes in a SQL database; staging, placement and DEA scaling as they land.
 */
public final class ControllerMain {

  public static final String TYPE = "CloudController";

  private ControllerMain() {
  }

  public static void main(String[] args) {
    ComponentLauncher.main(args, TYPE, ControllerConfig.class,
        runtime -> new ControllerVerticle(runtime.bus(), runtime.component(), runtime.config()));
  }
}
