package io.updraft.dea.process;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Signals an instance's whole process tree: its process group (the script is a session
 * leader through {@code setsid}) and every descendant seen. Blocking: call from a worker.
 */
public final class ProcessTree {

  private ProcessTree() {
  }

  /** The process with this pid if it is alive and is the one that started at {@code startedAt}. */
  public static Optional<ProcessHandle> find(long pid, java.time.Instant startedAt) {
    return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).filter(h -> startedAt == null
        || h.info().startInstant().map(s -> Math.abs(s.toEpochMilli() - startedAt.toEpochMilli())
        < 2_000).orElse(true));
  }

  /** The process and its descendants, root first. */
  public static List<ProcessHandle> members(ProcessHandle root) {
    List<ProcessHandle> all = new ArrayList<>();
    all.add(root);
    root.descendants().forEach(all::add);
    return all;
  }

  /**
   * SIGTERM to the group and the tree, up to {@code grace} for everything to exit, then
   * SIGKILL to whatever is left. Returns true when nothing of the tree is alive.
   */
  public static boolean terminate(ProcessHandle root, Duration grace) {
    Set<ProcessHandle> seen = new LinkedHashSet<>(members(root));
    signalGroup(root.pid(), "TERM");
    seen.forEach(ProcessHandle::destroy);
    long deadline = System.nanoTime() + grace.toNanos();
    for (ProcessHandle h : seen) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        break;
      }
      try {
        h.onExit().get(left, TimeUnit.NANOSECONDS);
      } catch (Exception e) {
        // timed out or interrupted: SIGKILL below
      }
    }
    return kill(root, seen);
  }

  /** SIGKILL to the group and the tree at once (limits exceeded, start timed out). */
  public static boolean kill(ProcessHandle root) {
    return kill(root, new LinkedHashSet<>(members(root)));
  }

  private static boolean kill(ProcessHandle root, Set<ProcessHandle> seen) {
    if (root.isAlive()) {
      root.descendants().forEach(seen::add);
    }
    signalGroup(root.pid(), "KILL");
    seen.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    for (ProcessHandle h : seen) {
      try {
        h.onExit().get(5, TimeUnit.SECONDS);
      } catch (Exception e) {
        // reported through the return value
      }
    }
    return Stream.of(seen.toArray(ProcessHandle[]::new)).noneMatch(ProcessHandle::isAlive);
  }

  private static void signalGroup(long pgid, String signal) {
    try {
      Process kill = new ProcessBuilder("kill", "-" + signal, "--", "-" + pgid)
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      kill.waitFor(5, TimeUnit.SECONDS);
    } catch (IOException e) {
      // no kill(1): the per-process signals still go out
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
