package io.updraft.stager.buildpack;

import io.updraft.common.bus.NatsConfig;
import io.updraft.common.protocol.staging.StagingProperties;
import io.updraft.stager.StagerConfig;
import io.updraft.stager.isolation.ProcessIsolation;
import io.updraft.stager.task.Deadline;
import io.updraft.stager.task.StagingLog;
import io.updraft.stager.transfer.BitsTransfer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;

/** Build contexts over a temp droplet directory, for buildpack unit tests. */
final class Contexts {

  /** A port nothing listens on: a registry there is unreachable at once. */
  static final String DEAD_URL = "http://127.0.0.1:9/";

  private Contexts() {
  }

  static StagerConfig config(Path work) {
    return StagerConfig.defaults(NatsConfig.of("nats://127.0.0.1:4222", null, null))
        .withWorkDir(work).withRegistries(DEAD_URL, DEAD_URL, false);
  }

  static BuildContext create(Path dropletDir, StagingProperties props, StagerConfig config,
      StagingLog log) {
    try {
      Files.createDirectories(dropletDir.resolve("app"));
      Path tmp = Files.createDirectories(dropletDir.resolveSibling("tmp"));
      return new BuildContext(dropletDir, props, config,
          new Deadline(Clock.systemUTC(), Duration.ofSeconds(60)), log, System.getenv(),
          ProcessIsolation.sandbox(config, dropletDir.resolve("app"), tmp),
          BitsTransfer.newClient());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static StagingProperties props(String framework, Integer memoryMb, Map<String, Object> meta) {
    return new StagingProperties(null, framework, null, null, null,
        new StagingProperties.Resources(memoryMb, null, null), null, meta);
  }
}
