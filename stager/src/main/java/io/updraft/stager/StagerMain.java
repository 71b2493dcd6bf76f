package io.updraft.stager;

import io.updraft.common.component.ComponentLauncher;
import io.updraft.common.component.ComponentLauncher.Runtime;
import io.updraft.stager.buildpack.Buildpacks;
import io.updraft.stager.isolation.IsolationChoice;
import io.updraft.stager.responders.StagingResponder;
import io.updraft.stager.task.StagingTask;
import io.updraft.stager.transfer.BitsTransfer;
import io.vertx.core.Deployable;
import java.net.http.HttpClient;
import java.time.Clock;
import java.util.Map;

/**
 * The stager's bootstrap, the one place that knows its object graph: config (loaded by the
 * launcher), HTTP client and bits transfer, buildpacks, then the staging responder inside the
 * main verticle, which first makes sure the work directory exists and chooses where build
 * steps run ({@link IsolationChoice}: blocking, so it happens on a worker at start).
 */
public final class StagerMain {

  public static final String TYPE = "Stager";

  private StagerMain() {
  }

  public static void main(String[] args) {
    ComponentLauncher.main(args, TYPE, StagerConfig.class, StagerMain::verticle);
  }

  /** Builds the verticle from what the launcher set up (also how tests start a stager). */
  public static Deployable verticle(Runtime<StagerConfig> runtime) {
    return verticle(runtime, System.getenv());
  }

  /** As {@link #verticle(Runtime)}, with the environment build processes draw from. */
  public static Deployable verticle(Runtime<StagerConfig> runtime, Map<String, String> env) {
    StagerConfig config = runtime.config();
    HttpClient http = BitsTransfer.newClient();
    BitsTransfer transfer = new BitsTransfer(http);
    Buildpacks buildpacks = Buildpacks.standard();
    Clock clock = Clock.systemUTC();
    return new StagerVerticle(runtime.bus(), runtime.component(), config.workPath(),
        () -> IsolationChoice.choose(config),
        isolation -> new StagingResponder(runtime.vertx(), runtime.bus(),
            (taskId, request, log) -> new StagingTask(taskId, request, config, transfer,
                buildpacks, isolation, http, env, clock, log),
            config.maxActiveTasks(), config.maxStaging()));
  }
}
