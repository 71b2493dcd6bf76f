package io.updraft.stager;

import io.updraft.common.bus.Bus;
import io.updraft.common.component.Component;
import io.updraft.common.component.ComponentVerticle;
import io.updraft.stager.responders.StagingResponder;
import io.vertx.core.Future;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The stager's main verticle: the operations surface, then the work directory (a stager that
 * cannot write there fails at start, not at its first task), then the staging responder.
 */
final class StagerVerticle extends ComponentVerticle {

  private final Path workDir;
  private final StagingResponder responder;

  StagerVerticle(Bus bus, Component component, Path workDir, StagingResponder responder) {
    super(bus, component);
    this.workDir = workDir;
    this.responder = responder;
  }

  @Override
  protected Future<?> startResponders() {
    return vertx.executeBlocking(() -> {
      try {
        return Files.createDirectories(workDir);
      } catch (IOException e) {
        throw new IOException("cannot create work_dir " + workDir + ": " + e.getMessage(), e);
      }
    }).map(dir -> {
      responder.start();
      component.varzFigures(responder::figures);
      return null;
    });
  }

  @Override
  protected Future<?> stopResponders() {
    return responder.stop();
  }
}
