package io.updraft.stager.buildpack;

import java.util.Map;

/**
 * What the droplet's {@code startup} script runs, from the app directory.
 *
 * @param command a shell command line; {@code $PORT} and the other instance variables are
 *     set when it runs
 * @param env variables to export first, in order; values are shell words (double-quoted by the
 *     script, so {@code $APP_DIR} and {@code $PATH} expand) and come from buildpacks, never
 *     from the app
 * @param runtime the runtime the command needs on the DEA ({@code python3}, {@code java},
 *     {@code node}, or {@code standalone})
 */
public record StartCommand(String command, Map<String, String> env, String runtime) {

  public StartCommand {
    env = Map.copyOf(env);
  }

  public static StartCommand of(String command, String runtime) {
    return new StartCommand(command, Map.of(), runtime);
  }

  public StartCommand withCommand(String other) {
    return new StartCommand(other, env, runtime);
  }
}
