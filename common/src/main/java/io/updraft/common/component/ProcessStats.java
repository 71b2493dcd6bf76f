package io.updraft.common.component;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/** Figures about this process for {@code /varz}: resident memory and CPU share. */
final class ProcessStats {

  private static final Path PROC_STATUS = Path.of("/proc/self/status");

  private ProcessStats() {
  }

  /** Resident set size in KB (CF v1 {@code mem}); heap in use when /proc is unavailable. */
  static long residentKb() {
    try {
      for (String line : Files.readAllLines(PROC_STATUS)) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException | NumberFormatException e) {
      // not Linux: use the JVM's own view below
    }
    Runtime rt = Runtime.getRuntime();
    return (rt.totalMemory() - rt.freeMemory()) / 1024;
  }

  /** Recent CPU use of this process in percent of one core's worth times cores (0..100×cores). */
  static double cpuPercent() {
    if (ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      double load = os.getProcessCpuLoad();
      return load < 0 ? 0 : Math.round(load * 100 * os.getAvailableProcessors() * 10) / 10.0;
    }
    return 0;
  }
}
