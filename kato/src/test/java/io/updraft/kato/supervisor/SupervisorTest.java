package io.updraft.kato.supervisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real processes ({@code sleep}, {@code sh}) under the supervisor. */
class SupervisorTest {

  @TempDir
  Path logs;

  private Supervisor supervisor;

  private Supervisor supervisor(Duration resetAfter) {
    supervisor = new Supervisor(logs, new Backoff(Duration.ofMillis(100), Duration.ofMillis(400),
        resetAfter), Duration.ofMillis(300), Duration.ofSeconds(5));
    return supervisor;
  }

  @AfterEach
  void tearDown() {
    if (supervisor != null) {
      supervisor.close();
    }
  }

  private static Launch.Factory sleep() {
    return () -> new Launch(List.of("sleep", "600"), Map.of());
  }

  @Test
  void restartsAKilledProcess() {
    Supervisor s = supervisor(Duration.ofMinutes(1));
    s.define("sleeper", sleep());
    s.start("sleeper");
    await().atMost(Duration.ofSeconds(10)).until(() ->
        s.status("sleeper").orElseThrow().state() == ProcessState.RUNNING);
    long pid = s.status("sleeper").orElseThrow().pid();
    ProcessHandle.of(pid).orElseThrow().destroyForcibly();
    await().atMost(Duration.ofSeconds(10)).until(() -> {
      ProcessStatus st = s.status("sleeper").orElseThrow();
      return st.state() == ProcessState.RUNNING && st.pid() != null && st.pid() != pid;
    });
    ProcessStatus st = s.status("sleeper").orElseThrow();
    assertThat(st.restarts()).isEqualTo(1);
    assertThat(st.lastExit()).isNotZero();
    assertThat(logs.resolve("sleeper.log")).content().contains("exited with status",
        "starting sleeper (restart 1)");
  }

  @Test
  void backsOffAProcessThatKeepsDyingAndStopEndsIt() {
    Supervisor s = supervisor(Duration.ofMinutes(1));
    s.define("crasher", () -> new Launch(List.of("sh", "-c", "exit 3"), Map.of()));
    s.start("crasher");
    await().atMost(Duration.ofSeconds(10)).until(() ->
        s.status("crasher").orElseThrow().restarts() >= 3);
    ProcessStatus st = s.status("crasher").orElseThrow();
    assertThat(st.lastExit()).isEqualTo(3);
    assertThat(st.state()).isIn(ProcessState.BACKOFF, ProcessState.STARTING);
    s.stop(List.of("crasher"));
    int restarts = s.status("crasher").orElseThrow().restarts();
    assertThat(s.status("crasher").orElseThrow().state()).isEqualTo(ProcessState.STOPPED);
    // no restart is pending after a stop: the count stays put while other work completes
    s.define("marker", sleep());
    s.start("marker");
    await().atMost(Duration.ofSeconds(10)).until(() ->
        s.status("marker").orElseThrow().state() == ProcessState.RUNNING);
    assertThat(s.status("crasher").orElseThrow().restarts()).isEqualTo(restarts);
  }

  @Test
  void stopTerminatesAndRestartGivesANewProcess() throws Exception {
    Supervisor s = supervisor(Duration.ofMinutes(1));
    s.define("sleeper", sleep());
    s.start("sleeper");
    long pid = await().atMost(Duration.ofSeconds(10)).until(
        () -> s.status("sleeper").orElseThrow().pid(), p -> p != null);
    s.restart("sleeper");
    long second = s.status("sleeper").orElseThrow().pid();
    assertThat(second).isNotEqualTo(pid);
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    assertThat(s.status("sleeper").orElseThrow().restarts()).isZero();
    s.stop(List.of("sleeper"));
    assertThat(ProcessHandle.of(second).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    assertThat(Files.exists(logs.resolve("run/sleeper.pid"))).isFalse();
  }

  @Test
  void aProcessThatIgnoresSigtermIsKilledWithItsChildren() {
    Supervisor s = supervisor(Duration.ofMinutes(1));
    s.define("stubborn", () -> new Launch(List.of("sh", "-c",
        "trap '' TERM; sleep 600 & wait; wait"), Map.of()), Duration.ofMillis(500));
    s.start("stubborn");
    long pid = await().atMost(Duration.ofSeconds(10)).until(
        () -> s.status("stubborn").orElseThrow().pid(), p -> p != null);
    ProcessHandle shell = ProcessHandle.of(pid).orElseThrow();
    ProcessHandle child = await().atMost(Duration.ofSeconds(10)).until(
        () -> shell.children().findFirst().orElse(null), c -> c != null);
    s.stop(List.of("stubborn"));
    assertThat(shell.isAlive()).isFalse();
    await().atMost(Duration.ofSeconds(5)).until(() -> !child.isAlive());
    assertThat(logs.resolve("stubborn.log")).content().contains("did not stop within 0 s");
  }

  @Test
  void aProcessIsStoppedWithItsLaunchsOwnSignal() throws Exception {
    Supervisor s = supervisor(Duration.ofMinutes(1));
    Path seen = logs.resolve("signal");
    // as PostgreSQL: SIGTERM would wait for its clients; SIGINT is the clean, fast stop
    s.define("server", () -> new Launch(List.of("sh", "-c", "trap '' TERM; trap 'echo INT > "
        + seen + "; exit 0' INT; while true; do sleep 0.1; done"), Map.of(), "INT"),
        Duration.ofSeconds(30));
    s.start("server");
    await().atMost(Duration.ofSeconds(10)).until(
        () -> s.status("server").orElseThrow().state() == ProcessState.RUNNING);
    long started = System.nanoTime();
    s.stop(List.of("server"));
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
    assertThat(seen).content().isEqualTo("INT\n");
    assertThat(logs.resolve("server.log")).content().doesNotContain("did not stop");
  }

  @Test
  void aLeftoverOfADeadAgentIsStoppedWithItsOwnSignalEvenUnderATitleItGaveItself()
      throws Exception {
    Path home = logs.resolve("home");
    Path dir = Files.createDirectories(home.resolve("logs"));
    // as Redis: it rewrites its command line into one title (naming its config in this home);
    // as PostgreSQL: only SIGINT stops it at once
    Launch.Factory server = () -> new Launch(List.of("bash", "-c", "exec -a \"$0\" bash -c "
        + "'trap \"\" TERM; trap \"exit 0\" INT; while :; do sleep 0.1; done'",
        "server 0.0.0.0:1 " + home.resolve("server.conf")), Map.of(), "INT");
    Supervisor first = new Supervisor(dir, new Backoff(Duration.ofMillis(100),
        Duration.ofMillis(400), Duration.ofMinutes(1)), Duration.ofMillis(300),
        Duration.ofSeconds(30));
    first.define("server", server);
    first.start("server");
    long pid = await().atMost(Duration.ofSeconds(10)).until(
        () -> first.status("server").orElseThrow().pid(), p -> p != null);
    assertThat(dir.resolve("run/server.pid")).content().isEqualTo(pid + "\nINT\n");
    // the agent dies: its supervisor is gone without stopping anything; the next one reaps
    assertThat(ProcessHandle.of(pid).orElseThrow().info().commandLine().orElse(""))
        .doesNotContain(home.toString());
    long started = System.nanoTime();
    Supervisor again = new Supervisor(dir, new Backoff(Duration.ofMillis(100),
        Duration.ofMillis(400), Duration.ofMinutes(1)), Duration.ofMillis(300),
        Duration.ofSeconds(30));
    again.define("server", server);
    assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
    assertThat(dir.resolve("server.log")).content()
        .contains("stopping server (pid " + pid + ") left over from a previous agent");
    again.close();
    first.close();
  }

  @Test
  void aRestartTellsTheProcessThroughItsMarkerAndAStopDoesNot() throws Exception {
    Supervisor s = supervisor(Duration.ofMinutes(1));
    Path seen = logs.resolve("seen");
    // on SIGTERM it records whether its restart marker exists, as a DEA's shutdown does
    s.define("agent", () -> new Launch(List.of("sh", "-c", "trap 'if [ -f \"$UPDRAFT_RESTART_MARKER\" ];"
        + " then echo restart >> " + seen + "; else echo stop >> " + seen + "; fi; exit 0' TERM;"
        + " while :; do sleep 0.05; done"), Map.of()));
    s.start("agent");
    await().atMost(Duration.ofSeconds(10)).until(() ->
        s.status("agent").orElseThrow().state() == ProcessState.RUNNING);
    s.restart("agent");
    await().atMost(Duration.ofSeconds(10)).until(() ->
        s.status("agent").orElseThrow().state() == ProcessState.RUNNING);
    s.stop(List.of("agent"));
    assertThat(seen).hasContent("restart\nstop");
    // nothing is left behind for the next start to misread
    assertThat(logs.resolve("agent.restarting")).doesNotExist();
  }

  @Test
  void aCommandThatCannotRunIsFatal() {
    Supervisor s = supervisor(Duration.ofMinutes(1));
    s.define("ghost", () -> new Launch(List.of("/nonexistent/program"), Map.of()));
    s.start("ghost");
    ProcessStatus st = s.status("ghost").orElseThrow();
    assertThat(st.state()).isEqualTo(ProcessState.FATAL);
    assertThat(st.message()).startsWith("cannot start:");
  }
}
