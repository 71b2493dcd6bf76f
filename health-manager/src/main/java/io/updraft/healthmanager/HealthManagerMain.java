package io.updraft.healthmanager;

import io.updraft.common.component.ComponentLauncher;
import io.vertx.core.Deployable;

/**
 * Entry point of the health manager: keeps every app at its desired instances, restarts
 * crashes with back-off, marks flapping indices, replaces the instances of lost DEAs; one
 * active at a time through a leader lease when several run.
 */
public final class HealthManagerMain {

  public static final String TYPE = "HealthManager";

  private HealthManagerMain() {
  }

  public static void main(String[] args) {
    ComponentLauncher.main(args, TYPE, HealthManagerConfig.class, HealthManagerMain::verticle);
  }

  static Deployable verticle(ComponentLauncher.Runtime<HealthManagerConfig> runtime) {
    return new HealthManagerVerticle(runtime.bus(), runtime.component(), runtime.config(),
        runtime.metrics());
  }
}
