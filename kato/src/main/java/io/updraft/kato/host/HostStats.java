package io.updraft.kato.host;

import io.updraft.common.protocol.node.NodeStatus;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Samples the host's statistics from Linux's {@code /proc} (as collectd does): CPU busy percent
 * over the time since the previous sample ({@code /proc/stat} deltas), logical CPUs, load
 * averages ({@code /proc/loadavg}), memory ({@code /proc/meminfo}: used is total minus
 * available), the filesystem holding the node's data, and byte counters of every interface but
 * {@code lo} ({@code /proc/net/dev}). A figure that cannot be read is left out (null).
 *
 * <p>Blocking (file reads): call {@link #sample} from a worker, one call at a time.
 */
public final class HostStats {

  private static final long MB = 1024L * 1024L;

  private final Path proc;
  private final Path dataDir;
  private long[] lastCpu;

  /**
   * @param proc the proc filesystem ({@code /proc}; tests may give a copy)
   * @param dataDir a directory on the filesystem whose size is reported
   */
  public HostStats(Path proc, Path dataDir) {
    this.proc = proc;
    this.dataDir = dataDir;
  }

  public static HostStats system(Path dataDir) {
    return new HostStats(Path.of("/proc"), dataDir);
  }

  /** One sample; the first has no CPU percent unless {@link #prime()} was called before. */
  public NodeStatus.HostStats sample() {
    Double cpu = cpuPercent();
    Long[] mem = memory();
    Long[] disk = disk();
    Long[] net = network();
    return new NodeStatus.HostStats(cpu, Runtime.getRuntime().availableProcessors(), load(),
        mem[0], mem[1], disk[0], disk[1], net[0], net[1]);
  }

  /** Takes the CPU baseline the next sample's percentage is measured from. */
  public void prime() {
    cpuPercent();
  }

  private Double cpuPercent() {
    long[] now = cpuTimes();
    long[] before = lastCpu;
    lastCpu = now;
    if (now == null || before == null) {
      return null;
    }
    long total = now[0] - before[0];
    long idle = now[1] - before[1];
    if (total <= 0) {
      return 0.0;
    }
    double busy = 100.0 * (total - idle) / total;
    return Math.round(Math.max(0, Math.min(100, busy)) * 10) / 10.0;
  }

  /** {total, idle} jiffies of the aggregate {@code cpu} line (idle includes iowait). */
  private long[] cpuTimes() {
    for (String line : lines(proc.resolve("stat"))) {
      if (line.startsWith("cpu ")) {
        String[] f = line.trim().split("\\s+");
        long total = 0;
        // user nice system idle iowait irq softirq steal; guest times are inside user already
        for (int i = 1; i < Math.min(f.length, 9); i++) {
          total += Long.parseLong(f[i]);
        }
        long idle = Long.parseLong(f[4]) + (f.length > 5 ? Long.parseLong(f[5]) : 0);
        return new long[] {total, idle};
      }
    }
    return null;
  }

  private List<Double> load() {
    List<String> lines = lines(proc.resolve("loadavg"));
    if (lines.isEmpty()) {
      return null;
    }
    String[] f = lines.get(0).trim().split("\\s+");
    List<Double> out = new ArrayList<>();
    for (int i = 0; i < 3 && i < f.length; i++) {
      out.add(Double.parseDouble(f[i]));
    }
    return out;
  }

  /** {total MB, used MB}. */
  private Long[] memory() {
    Long total = null;
    Long available = null;
    for (String line : lines(proc.resolve("meminfo"))) {
      if (line.startsWith("MemTotal:")) {
        total = kb(line);
      } else if (line.startsWith("MemAvailable:")) {
        available = kb(line);
      }
    }
    if (total == null) {
      return new Long[] {null, null};
    }
    return new Long[] {total / 1024, available == null ? null : (total - available) / 1024};
  }

  private static long kb(String line) {
    return Long.parseLong(line.replaceAll("[^0-9]", ""));
  }

  /** {total MB, used MB} of the filesystem holding the data directory. */
  private Long[] disk() {
    try {
      FileStore store = Files.getFileStore(Files.exists(dataDir) ? dataDir : Path.of("/"));
      long total = store.getTotalSpace();
      return new Long[] {total / MB, (total - store.getUnallocatedSpace()) / MB};
    } catch (IOException e) {
      return new Long[] {null, null};
    }
  }

  /** {received, sent} bytes over every interface but loopback. */
  private Long[] network() {
    List<String> lines = lines(proc.resolve("net/dev"));
    if (lines.isEmpty()) {
      return new Long[] {null, null};
    }
    long rx = 0;
    long tx = 0;
    for (String line : lines) {
      int colon = line.indexOf(':');
      if (colon < 0) {
        continue; // the two header lines
      }
      String name = line.substring(0, colon).trim();
      if (name.equals("lo")) {
        continue;
      }
      String[] f = line.substring(colon + 1).trim().split("\\s+");
      if (f.length >= 9) {
        rx += Long.parseLong(f[0]);
        tx += Long.parseLong(f[8]);
      }
    }
    return new Long[] {rx, tx};
  }

  private static List<String> lines(Path file) {
    try {
      return Files.readAllLines(file, StandardCharsets.US_ASCII);
    } catch (IOException | RuntimeException e) {
      return List.of();
    }
  }
}
