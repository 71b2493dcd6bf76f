package io.updraft.stager.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.updraft.stager.task.Deadline;
import io.updraft.stager.task.StagingException;
import io.updraft.stager.task.StagingLog;
import io.updraft.stager.task.StagingTimeoutException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BuildProcessTest {

  @TempDir
  Path dir;

  private final StagingLog log = StagingLog.detached();
  private final Map<String, String> env = Map.of("PATH", System.getenv("PATH"), "GREETING", "hi");

  private Deadline seconds(int s) {
    return new Deadline(Clock.systemUTC(), Duration.ofSeconds(s));
  }

  @Test
  void streamsOutputAndReportsTheExitCodeWithOnlyTheGivenEnvironment() throws Exception {
    BuildProcess.Result r = BuildProcess.run(List.of("sh", "-c",
        "echo $GREETING; echo err >&2; echo home=${UPDRAFT__NATS__PASSWORD:-none}; exit 3"),
        dir, env, seconds(30), 512, log);
    assertThat(r.exitCode()).isEqualTo(3);
    assertThat(r.tail()).containsExactlyInAnyOrder("hi", "err", "home=none");
    assertThat(log.text()).contains("hi\n");
  }

  @Test
  void aHangingStepIsKilledWithItsChildrenAtTheDeadline() {
    // an unusual duration marks this test's sleeps among the machine's processes
    String marker = "sleep 300." + Math.abs(UUID.randomUUID().getMostSignificantBits() % 1000000);
    long start = System.nanoTime();
    assertThatThrownBy(() -> BuildProcess.run(List.of("sh", "-c",
        marker + " & " + marker), dir, env, seconds(1), 512, log))
        .isInstanceOf(StagingTimeoutException.class)
        .hasMessage("Staging timed out after 1 seconds");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    await().atMost(Duration.ofSeconds(5)).until(() -> ProcessHandle.allProcesses()
        .noneMatch(p -> p.info().commandLine().orElse("").contains(marker)));
  }

  @Test
  void aStepOverTheMemoryLimitIsKilled() {
    assertThatThrownBy(() -> BuildProcess.run(List.of("python3", "-c",
        "import time\nb = bytearray(200 * 1024 * 1024)\nfor i in range(0, len(b), 4096): b[i] = 1\n"
            + "time.sleep(60)"), dir, env, seconds(60), 64, log))
        .isInstanceOf(StagingException.class)
        .hasMessageStartingWith("Staging exceeded the memory limit of 64 MB");
  }

  @Test
  void aMissingProgramFailsTheStep() throws Exception {
    // under setsid the exec fails in the child: a failed step, not an exception
    BuildProcess.Result r = BuildProcess.run(List.of("/nonexistent/tool"), dir, env,
        seconds(5), 64, log);
    assertThat(r.succeeded()).isFalse();
  }

  @Test
  void aCancelledTaskStopsItsStep() {
    Deadline deadline = seconds(60);
    deadline.cancel();
    assertThatThrownBy(() -> BuildProcess.run(List.of("sleep", "30"), dir, env, deadline, 64,
        log)).hasMessage(Deadline.CANCELLED);
  }
}
