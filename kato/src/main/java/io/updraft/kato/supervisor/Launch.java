package io.updraft.kato.supervisor;

import java.util.List;
import java.util.Map;

/**
 * What to execute for one start of a process: worked out afresh at every (re)start.
 *
 * @param stopSignal the signal that stops it cleanly ({@code INT} for PostgreSQL's fast
 *     shutdown: SIGTERM would wait for every client to disconnect); null: SIGTERM
 */
public record Launch(List<String> command, Map<String, String> env, String stopSignal) {

  public Launch {
    command = List.copyOf(command);
    env = Map.copyOf(env);
    if (stopSignal != null && !stopSignal.matches("[A-Z0-9]+")) {
      throw new IllegalArgumentException("bad signal name " + stopSignal);
    }
  }

  /** Stopped with SIGTERM. */
  public Launch(List<String> command, Map<String, String> env) {
    this(command, env, null);
  }

  /** Prepares a launch; may block (reads cluster config, writes files). */
  @FunctionalInterface
  public interface Factory {
    Launch prepare() throws Exception;
  }
}
