package io.updraft.stager;

import io.updraft.common.bus.Bus;
import io.updraft.common.component.Component;
import io.updraft.common.component.ComponentVerticle;
import io.updraft.stager.responders.StagingResponder;
import io.vertx.core.Future;
import io.updraft.stager.files.PrivateFiles;
import java.io.IOException;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stager's main verticle: the operations surface, then the work directory (a stager that
 * cannot write there fails at start, not at its first task), then the staging responder. The
 * work directory holds users' packages, droplets and the package caches: it is the stager's
 * user's alone (0700), and what an older version left readable in it is tightened at start.
 */
final class StagerVerticle extends ComponentVerticle {

  private static final Logger log = LoggerFactory.getLogger(StagerVerticle.class);

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
        PrivateFiles.createRoot(workDir);
      } catch (IOException e) {
        throw new IOException("cannot create work_dir " + workDir + ": " + e.getMessage(), e);
      }
      try {
        int changed = PrivateFiles.tighten(workDir);
        log.atDebug().setMessage("stager.work-dir.private").addKeyValue("dir", workDir)
            .addKeyValue("modes_changed", changed).log();
      } catch (IOException e) {
        // e.g. a default work_dir under /tmp that another user made first
        throw new IOException("cannot make work_dir " + workDir + " private: " + e, e);
      }
      return workDir;
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
