package io.updraft.stager.task;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.updraft.common.protocol.Json;
import io.updraft.stager.buildpack.StartCommand;
import io.updraft.stager.buildpack.StartupScript;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;

/**
 * Completes a staged directory into the droplet layout the DEA expects (PROTOCOL.md 7.5):
 *
 * <pre>
 * startup        #!/bin/sh, 0755: ./startup -p PORT; cd app; exec the start command
 * stop           #!/bin/sh, 0755: ./stop PID
 * app/           the app, as the buildpack left it
 * logs/          staging.log (later stdout.log, stderr.log)
 * tmp/           TMPDIR of the instance
 * droplet.json   what was staged, how it starts
 * </pre>
 */
public final class DropletLayout {

  public static final String METADATA = "droplet.json";

  private DropletLayout() {
  }

  /**
   * {@code droplet.json}.
   *
   * @param buildpack the buildpack's name
   * @param detected what made it apply ({@code app.py}, {@code Procfile} …)
   * @param framework the framework from the request, else the buildpack's name
   * @param runtime what the start command needs on the DEA
   * @param startCommand the command {@code startup} execs in {@code app/}
   * @param stagedAt when staging finished (ISO-8601, UTC)
   * @param appId the app it was staged for
   */
  public record Metadata(
      @JsonProperty("buildpack") String buildpack,
      @JsonProperty("detected") String detected,
      @JsonProperty("framework") String framework,
      @JsonProperty("runtime") String runtime,
      @JsonProperty("start_command") String startCommand,
      @JsonProperty("staged_at") String stagedAt,
      @JsonProperty("app_id") String appId) {
  }

  public static void write(Path dropletDir, String buildpack, String detected, String framework,
      StartCommand start, String appId, Instant stagedAt, String stagingLog) throws IOException {
    Files.createDirectories(dropletDir.resolve("logs"));
    Files.createDirectories(dropletDir.resolve("tmp"));
    Files.writeString(dropletDir.resolve("logs/staging.log"), stagingLog,
        StandardCharsets.UTF_8);
    script(dropletDir.resolve("startup"), StartupScript.startup(buildpack, start));
    script(dropletDir.resolve("stop"), StartupScript.stop());
    Metadata metadata = new Metadata(buildpack, detected,
        framework == null || framework.isBlank() ? buildpack : framework, start.runtime(),
        start.command(), stagedAt.toString(), appId);
    Files.write(dropletDir.resolve(METADATA),
        Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(metadata));
  }

  private static void script(Path file, String text) throws IOException {
    Files.writeString(file, text, StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
  }
}
