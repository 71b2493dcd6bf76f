package io.updraft.kato.supervisor;

import java.util.List;
import java.util.Map;

/** What to execute for one start of a process: worked out afresh at every (re)start. */
public record Launch(List<String> command, Map<String, String> env) {

  public Launch {
    command = List.copyOf(command);
    env = Map.copyOf(env);
  }

  /** Prepares a launch; may block (reads cluster config, writes files). */
  @FunctionalInterface
  public interface Factory {
    Launch prepare() throws Exception;
  }
}
