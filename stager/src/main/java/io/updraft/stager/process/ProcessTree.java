package io.updraft.stager.process;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A process and everything it started: memory use and a kill that leaves nothing behind. */
public final class ProcessTree {

  private static final Path PROC = Path.of("/proc");
  private static final Path KILL = Path.of("/bin/kill");
  /** How long the {@code kill} helper itself may take. */
  private static final long KILL_HELPER_SECONDS = 5;

  private ProcessTree() {
  }

  /**
   * Resident memory of the process and its descendants in KB, from {@code /proc}; 0 where
   * there is no {@code /proc} (the memory limit then does not apply).
   */
  public static long rssKb(ProcessHandle root) {
    if (!Files.isDirectory(PROC)) {
      return 0;
    }
    long total = rssKbOf(root.pid());
    for (ProcessHandle child : root.descendants().toList()) {
      total += rssKbOf(child.pid());
    }
    return total;
  }

  static long rssKbOf(long pid) {
    try {
      for (String line : Files.readAllLines(PROC.resolve(pid + "/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.substring(6).trim().split("\\s+")[0]);
        }
      }
    } catch (IOException | RuntimeException e) {
      // the process ended between listing and reading: it uses nothing
    }
    return 0;
  }

  /**
   * SIGKILLs the process, every descendant (taken before the parent dies, when they are
   * re-parented and no longer descendants) and, when {@code ownGroup} (the build ran under
   * {@code setsid}), its process group, which also holds daemonised grandchildren.
   */
  public static void kill(ProcessHandle root, boolean ownGroup) {
    List<ProcessHandle> descendants = root.descendants().toList();
    // Linux never hands out a pid still in use as a group id, so -pid is still our group
    if (ownGroup && Files.isExecutable(KILL)) {
      killGroup(root.pid());
    }
    descendants.forEach(ProcessHandle::destroyForcibly);
    root.destroyForcibly();
  }

  private static void killGroup(long pgid) {
    try {
      Process kill = new ProcessBuilder(KILL.toString(), "-KILL", "--", "-" + pgid)
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .start();
      kill.waitFor(KILL_HELPER_SECONDS, TimeUnit.SECONDS);
    } catch (IOException e) {
      // no group to kill (not a group leader): the descendants are killed one by one
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
