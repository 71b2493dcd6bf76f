package io.updraft.stager.isolation;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The cgroups of one build step: the runtime puts the container in
 * {@code /updraft-stager/<id>/c} (its memory and pids limits are there) and removes that
 * when the container ends; {@code /updraft-stager/<id>} above it is left to us.
 *
 * <p>Telling an out-of-memory kill from another failure: cgroup v2 counts OOM kills up the
 * tree, so the parent's {@code memory.events} still has the count after the runtime removed
 * the container's cgroup. Cgroup v1 counts only in the cgroup of the killed process, which the
 * runtime removes on exit, so the count is read while the step runs ({@link #oomKills}, polled)
 * and, for a step that died at once, a SIGKILL exit (137) whose peak usage
 * ({@code memory.max_usage_in_bytes}, kept by the parent) reached the limit counts too.
 * Blocking.
 */
final class StepCgroup {

  static final String PARENT = "updraft-stager";
  private static final Path ROOT = Path.of("/sys/fs/cgroup");
  /** Below the limit by less than this, a peak counts as at the limit (charge batching). */
  private static final long PEAK_SLACK_BYTES = 4L << 20;

  private final String id;
  private final long limitBytes;
  private final Path memoryRoot;
  private final boolean v2;

  StepCgroup(String id, long limitBytes) {
    this(ROOT, id, limitBytes);
  }

  StepCgroup(Path root, String id, long limitBytes) {
    this.id = id;
    this.limitBytes = limitBytes;
    this.v2 = Files.isRegularFile(root.resolve("cgroup.controllers"));
    this.memoryRoot = v2 ? root : root.resolve("memory");
  }

  /** The container's {@code cgroupsPath}. */
  String path() {
    return "/" + PARENT + "/" + id + "/c";
  }

  /** OOM kills counted so far in the step's cgroups (0 when they are gone or unreadable). */
  long oomKills() {
    Path parent = memoryRoot.resolve(PARENT).resolve(id);
    String file = v2 ? "memory.events" : "memory.oom_control";
    return Math.max(counter(parent.resolve("c").resolve(file), "oom_kill"),
        counter(parent.resolve(file), "oom_kill"));
  }

  /**
   * Whether a step that ended with {@code exitCode} was killed for memory: an OOM kill was
   * counted ({@code seenKills}, or now), or (cgroup v1) it was SIGKILLed at its peak.
   */
  boolean outOfMemory(long seenKills, int exitCode) {
    if (seenKills > 0 || oomKills() > 0) {
      return true;
    }
    if (v2 || exitCode != 128 + 9) {
      return false;
    }
    Path peak = memoryRoot.resolve(PARENT).resolve(id).resolve("memory.max_usage_in_bytes");
    try {
      return Long.parseLong(Files.readString(peak).trim()) >= limitBytes - PEAK_SLACK_BYTES;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /** Removes the step's cgroups in every hierarchy (v1) or the one (v2). */
  void remove() {
    remove(ROOT, id);
  }

  /**
   * Removes {@code /updraft-stager/<id>} (and {@code c} below it) in every hierarchy under
   * {@code root}; one still in use (processes being killed) stays.
   */
  static void remove(Path root, String id) {
    for (Path parent : parents(root)) {
      try {
        Files.deleteIfExists(parent.resolve(id).resolve("c"));
        Files.deleteIfExists(parent.resolve(id));
      } catch (IOException e) {
        // still has processes, or not ours: the next prune takes it
      }
    }
  }

  /** Removes every step cgroup under {@code root} that has no process left (after a crash). */
  static void pruneAll(Path root) {
    for (Path parent : parents(root)) {
      try (Stream<Path> groups = Files.list(parent)) {
        groups.filter(g -> Files.isDirectory(g, LinkOption.NOFOLLOW_LINKS))
            .forEach(g -> remove(root, g.getFileName().toString()));
      } catch (IOException e) {
        // no such hierarchy here
      }
    }
  }

  static void pruneAll() {
    pruneAll(ROOT);
  }

  private static List<Path> parents(Path root) {
    List<Path> parents = new ArrayList<>();
    parents.add(root.resolve(PARENT));
    try (Stream<Path> hierarchies = Files.list(root)) {
      hierarchies.filter(h -> Files.isDirectory(h, LinkOption.NOFOLLOW_LINKS))
          .filter(h -> !h.getFileName().toString().equals(PARENT))
          .forEach(h -> parents.add(h.resolve(PARENT)));
    } catch (IOException e) {
      // no cgroup file system: nothing to remove
    }
    return parents.stream().filter(Files::isDirectory).toList();
  }

  private static long counter(Path file, String key) {
    try {
      for (String line : Files.readAllLines(file)) {
        if (line.startsWith(key + " ")) {
          return Long.parseLong(line.substring(key.length() + 1).trim());
        }
      }
    } catch (IOException | RuntimeException e) {
      // gone (the container ended) or not this version's file
    }
    return 0;
  }
}
