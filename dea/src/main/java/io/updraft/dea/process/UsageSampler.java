package io.updraft.dea.process;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Measures an instance: RSS and CPU of its process tree from {@code /proc}, and the size of
 * its directory (v1 ran {@code ps} and {@code du} every 2 s). Keeps the previous CPU reading
 * per instance to turn clock ticks into a percentage. Blocking and not thread-safe: call from
 * one worker at a time (an ordered {@code executeBlocking}).
 */
public final class UsageSampler {

  /** Linux's USER_HZ on every mainstream architecture. */
  private static final double TICKS_PER_SECOND = 100.0;

  /** One measurement. */
  public record Sample(long rssKb, double cpuPercent, long diskBytes) {
  }

  private record CpuReading(long ticks, long nanos) {
  }

  private final Map<String, CpuReading> lastCpu = new HashMap<>();

  public Sample sample(String instanceId, ProcessHandle root, Path dir) {
    long rssKb = 0;
    long ticks = 0;
    if (root != null && root.isAlive()) {
      for (ProcessHandle h : ProcessTree.members(root)) {
        rssKb += rssKb(h.pid());
        ticks += cpuTicks(h.pid());
      }
    }
    long now = System.nanoTime();
    CpuReading previous = lastCpu.put(instanceId, new CpuReading(ticks, now));
    double cpu = 0;
    if (previous != null && now > previous.nanos() && ticks >= previous.ticks()) {
      double seconds = (now - previous.nanos()) / 1e9;
      cpu = (ticks - previous.ticks()) / TICKS_PER_SECOND / seconds * 100.0;
    }
    return new Sample(rssKb, cpu, diskBytes(dir));
  }

  public void forget(String instanceId) {
    lastCpu.remove(instanceId);
  }

  static long rssKb(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException | RuntimeException e) {
      // gone between listing and reading, or not Linux
    }
    return 0;
  }

  static long cpuTicks(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
      // the command name may hold spaces and parentheses: fields start after the last ')'
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime + stime
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  /** Bytes of regular files under {@code dir}, symlinks not followed. */
  public static long diskBytes(Path dir) {
    long[] total = {0};
    if (dir == null || !Files.isDirectory(dir)) {
      return 0;
    }
    try {
      Files.walkFileTree(dir, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
          if (attrs.isRegularFile()) {
            total[0] += attrs.size();
          }
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFileFailed(Path file, IOException exc) {
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      // partial total is still the best figure
    }
    return total[0];
  }

  /** For tests and varz: the ids with a CPU history. */
  List<String> tracked() {
    return List.copyOf(lastCpu.keySet());
  }
}
