package io.updraft.stager.buildpack;

import io.updraft.common.protocol.staging.StagingProperties;
import io.updraft.stager.task.StagingException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Turns one kind of app into something a DEA can start. The stager asks each buildpack in
 * {@link Buildpacks#ORDER} whether it {@link #detect detects} the app, {@link #compile
 * compiles} with the first that does (installs dependencies, builds), then asks it for the
 * {@link #startCommand start command} that goes into the droplet's {@code startup} script.
 * Implementations are stateless; everything about one task is in the {@link BuildContext}.
 */
public interface Buildpack {

  /** Short name, printed in the staging log and written to {@code droplet.json}. */
  String name();

  /** What the buildpack looks for, for the log and the "nothing detected" error. */
  String expects();

  /** The file or setting that makes this buildpack apply (e.g. {@code "app.py"}), or empty. */
  Optional<String> detect(Path appDir, StagingProperties properties);

  /** Prepares the app in {@link BuildContext#appDir()} (inside the droplet) to be run. */
  void compile(BuildContext ctx) throws StagingException;

  /** How to start the compiled app; called after {@link #compile}. */
  StartCommand startCommand(BuildContext ctx) throws StagingException;

  /**
   * Variables the app needs whatever command starts it ({@code PYTHONPATH} to installed
   * packages …); also used when a Procfile gives the command.
   */
  default Map<String, String> startEnvironment(BuildContext ctx) {
    return Map.of();
  }

  /** What the start command needs on the DEA ({@code python3}, {@code java}, {@code node}). */
  String runtime();
}
