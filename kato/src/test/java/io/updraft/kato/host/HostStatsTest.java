package io.updraft.kato.host;

import static org.assertj.core.api.Assertions.assertThat;

import io.updraft.common.protocol.node.NodeStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Host figures from a copy of /proc with known contents. */
class HostStatsTest {

  @TempDir
  Path proc;

  private void stat(long user, long system, long idle, long iowait) throws IOException {
    Files.writeString(proc.resolve("stat"), "cpu  " + user + " 0 " + system + " " + idle + " "
        + iowait + " 0 0 0 0 0\ncpu0 1 0 1 1 0 0 0 0 0 0\nintr 1234\n");
  }

  @Test
  void figuresComeFromProcAndCpuFromTheDeltaBetweenSamples() throws IOException {
    stat(1000, 500, 8000, 500);
    Files.writeString(proc.resolve("loadavg"), "0.52 0.48 0.30 2/345 6789\n");
    Files.writeString(proc.resolve("meminfo"), "MemTotal:        8000000 kB\nMemFree:"
        + "          1000000 kB\nMemAvailable:    6000000 kB\nBuffers:  1 kB\n");
    Files.createDirectories(proc.resolve("net"));
    Files.writeString(proc.resolve("net/dev"), """
        Inter-|   Receive                                                |  Transmit
         face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
            lo: 9999999   100    0    0    0     0          0         0  9999999   100    0    0    0     0       0          0
          eth0: 1000      10    0    0    0     0          0         0  2000      20    0    0    0     0       0          0
          eth1:  500       5    0    0    0     0          0         0   250       2    0    0    0     0       0          0
        """);
    HostStats stats = new HostStats(proc, proc);
    stats.prime();
    // 1000 more jiffies: 250 busy (user + system), 750 idle (idle + iowait)
    stat(1200, 550, 8600, 650);
    NodeStatus.HostStats h = stats.sample();
    assertThat(h.cpuPercent()).isEqualTo(25.0);
    assertThat(h.load()).containsExactly(0.52, 0.48, 0.30);
    assertThat(h.memTotalMb()).isEqualTo(7812); // 8 000 000 kB
    assertThat(h.memUsedMb()).isEqualTo(1953);  // total minus available: 2 000 000 kB
    assertThat(h.netRxBytes()).isEqualTo(1500); // lo left out
    assertThat(h.netTxBytes()).isEqualTo(2250);
    assertThat(h.cpus()).isEqualTo(Runtime.getRuntime().availableProcessors());
    assertThat(h.diskTotalMb()).isPositive();
    assertThat(h.diskUsedMb()).isBetween(0L, h.diskTotalMb());
  }

  @Test
  void whatCannotBeReadIsLeftOut() {
    NodeStatus.HostStats h = new HostStats(proc.resolve("missing"), proc).sample();
    assertThat(h.cpuPercent()).isNull();
    assertThat(h.load()).isNull();
    assertThat(h.memTotalMb()).isNull();
    assertThat(h.netRxBytes()).isNull();
    assertThat(h.cpus()).isPositive();
  }
}
