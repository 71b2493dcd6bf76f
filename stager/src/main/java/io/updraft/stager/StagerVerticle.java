package io.updraft.stager;

import io.updraft.common.bus.Bus;
import io.updraft.common.component.Component;
import io.updraft.common.component.ComponentVerticle;
import io.updraft.common.files.PrivateFiles;
import io.updraft.stager.isolation.BuildIsolation;
import io.updraft.stager.isolation.IsolationChoice;
import io.updraft.stager.responders.StagingResponder;
import io.vertx.core.Future;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stager's main verticle: the operations surface, then the work directory (a stager that
 * cannot write there fails at start, not at its first task) and the choice of where build
 * steps run (a stager told to use containers where none can run fails at start, saying why),
 * then the staging responder. {@code /varz} shows the responder's figures and
 * {@code isolation: {backend, reason}}. The work directory holds users' packages, droplets and
 * the package caches: it is the stager's user's alone (0700), and what an older version left
 * readable in it is tightened at start.
 */
final class StagerVerticle extends ComponentVerticle {

  private static final Logger log = LoggerFactory.getLogger(StagerVerticle.class);

  private final Path workDir;
  private final Callable<IsolationChoice.Choice> chooseIsolation;
  private final Function<BuildIsolation, StagingResponder> responders;
  private StagingResponder responder;

  StagerVerticle(Bus bus, Component component, Path workDir,
      Callable<IsolationChoice.Choice> chooseIsolation,
      Function<BuildIsolation, StagingResponder> responders) {
    super(bus, component);
    this.workDir = workDir;
    this.chooseIsolation = chooseIsolation;
    this.responders = responders;
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
        // an offline stager's npm cache keeps npm's own modes: build containers read its
        // packages through links (the work dir above it already keeps others out)
        int changed = PrivateFiles.tighten(workDir, Set.of(),
            List.of(workDir.resolve("cache/npm")));
        log.atDebug().setMessage("stager.work-dir.private").addKeyValue("dir", workDir)
            .addKeyValue("modes_changed", changed).log();
      } catch (IOException e) {
        // e.g. a default work_dir under /tmp that another user made first
        throw new IOException("cannot make work_dir " + workDir + " private: " + e, e);
      }
      return chooseIsolation.call();
    }).map(choice -> {
      responder = responders.apply(choice.isolation());
      responder.start();
      Map<String, Object> isolation = Map.of("backend", choice.isolation().name(),
          "reason", choice.reason());
      component.varzFigures(() -> {
        Map<String, Object> figures = new LinkedHashMap<>(responder.figures());
        figures.put("isolation", isolation);
        return figures;
      });
      return null;
    });
  }

  @Override
  protected Future<?> stopResponders() {
    return responder == null ? Future.succeededFuture() : responder.stop();
  }
}
