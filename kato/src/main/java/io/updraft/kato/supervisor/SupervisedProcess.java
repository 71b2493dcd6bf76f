package io.updraft.kato.supervisor;

import io.updraft.common.files.PrivateFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One process kept running by the {@link Supervisor}. State changes happen under this
 * object's lock on the supervisor's scheduler thread or the caller's; waiting for a process to
 * stop happens outside the lock. Each launch has a generation number, so the exit of a process
 * that was deliberately stopped or replaced is never taken for a crash.
 */
final class SupervisedProcess {

  /** Environment variable naming the restart marker (read by the DEA). */
  static final String RESTART_MARKER_ENV = "UPDRAFT_RESTART_MARKER";

  private final String name;
  private final Launch.Factory factory;
  private final Path log;
  private final ScheduledExecutorService scheduler;
  private final Backoff backoff;
  private final Duration runningAfter;
  private final Clock clock;
  private final Duration grace;

  private ProcessState state = ProcessState.STOPPED;
  private boolean wanted;
  private long generation;
  private Process process;
  /** The running process's clean stop signal (its launch's); null: SIGTERM. */
  private String stopSignal;
  private Instant startedAt;
  private int restarts;
  private int failures;
  private Integer lastExit;
  private String message;
  private ScheduledFuture<?> pending;

  SupervisedProcess(String name, Launch.Factory factory, Path log,
      ScheduledExecutorService scheduler, Backoff backoff, Duration runningAfter, Clock clock,
      Duration grace) {
    this.name = name;
    this.factory = factory;
    this.log = log;
    this.scheduler = scheduler;
    this.backoff = backoff;
    this.runningAfter = runningAfter;
    this.clock = clock;
    this.grace = grace;
  }

  String name() {
    return name;
  }

  /** The file a restart writes before SIGTERM; the process finds it through its environment. */
  Path restartMarker() {
    return log.resolveSibling(name + ".restarting");
  }

  Path log() {
    return log;
  }

  /** Starts the process unless it is already starting or running. */
  synchronized void start() {
    wanted = true;
    if (state == ProcessState.STARTING || state == ProcessState.RUNNING
        || state == ProcessState.BACKOFF) {
      return;
    }
    failures = 0;
    spawn();
  }

  private synchronized void spawn() {
    if (!wanted) {
      return;
    }
    long gen = ++generation;
    pending = null;
    Launch launch;
    try {
      launch = factory.prepare();
      PrivateFiles.createDirectories(log.getParent());
      // the redirect opens it with the usual modes: private first (note creates it 0600)
      note("starting " + name + (restarts > 0 ? " (restart " + restarts + ")" : ""));
      ProcessBuilder builder = new ProcessBuilder(launch.command())
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
          .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
      // overrides meant for the agent itself are not its children's
      builder.environment().keySet().removeIf(k -> k.startsWith("UPDRAFT__"));
      builder.environment().putAll(launch.env());
      // written before the SIGTERM of a restart: a DEA then leaves its instances running
      Files.deleteIfExists(restartMarker());
      builder.environment().put(RESTART_MARKER_ENV, restartMarker().toString());
      process = builder.start();
      stopSignal = launch.stopSignal();
      writePidFile(process.pid());
    } catch (Exception e) {
      state = ProcessState.FATAL;
      message = "cannot start: " + e.getMessage();
      note(message);
      return;
    }
    state = ProcessState.STARTING;
    message = null;
    startedAt = clock.instant();
    Process started = process;
    scheduler.schedule(() -> promote(gen), runningAfter.toMillis(), TimeUnit.MILLISECONDS);
    started.onExit().thenRunAsync(() -> exited(gen, started), scheduler);
  }

  private synchronized void promote(long gen) {
    if (gen == generation && state == ProcessState.STARTING && process != null
        && process.isAlive()) {
      state = ProcessState.RUNNING;
    }
  }

  private synchronized void exited(long gen, Process which) {
    if (gen != generation || !wanted) {
      return;
    }
    lastExit = which.exitValue();
    Duration up = Duration.between(startedAt, clock.instant());
    if (up.compareTo(backoff.resetAfter()) >= 0) {
      failures = 0;
    }
    failures++;
    restarts++;
    Duration delay = backoff.delay(failures);
    state = ProcessState.BACKOFF;
    message = "exited with status " + lastExit + " after " + up.toSeconds() + " s; restart in "
        + delay.toMillis() + " ms";
    note(message);
    process = null;
    pending = scheduler.schedule(this::spawn, delay.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * Stops the process: SIGTERM, then SIGKILL after the grace period. Blocks until it is gone.
   * When it had to be killed, its descendants (a DEA's app instances) are killed too: nothing
   * is left behind that nobody supervises. One that stops in time decides about its children
   * itself (a DEA may leave instances running for its next start to adopt).
   */
  void stop() {
    stop(false);
  }

  /**
   * Stops it; {@code restarting}: a start follows at once, which the process is told through
   * its restart marker (a DEA then leaves its instances running for the next start to adopt).
   */
  void stop(boolean restarting) {
    Process victim;
    String signal;
    synchronized (this) {
      wanted = false;
      generation++;
      if (pending != null) {
        pending.cancel(false);
        pending = null;
      }
      victim = process;
      signal = stopSignal;
      process = null;
      state = ProcessState.STOPPED;
      message = null;
    }
    deletePidFile();
    if (victim != null && victim.isAlive()) {
      note((restarting ? "restarting " : "stopping ") + name);
      if (restarting) {
        try {
          PrivateFiles.writeString(restartMarker(), "restart\n");
        } catch (IOException e) {
          note("cannot write the restart marker: " + e.getMessage());
        }
      }
      java.util.List<ProcessHandle> children = victim.descendants().toList();
      signal(victim.toHandle(), signal);
      try {
        if (!victim.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
          note(name + " did not stop within " + grace.toSeconds() + " s; killing it");
          victim.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
          children.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
        }
      } catch (InterruptedException e) {
        victim.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
    try {
      Files.deleteIfExists(restartMarker()); // a process that does not read it leaves it
    } catch (IOException e) {
      note("cannot remove the restart marker: " + e.getMessage());
    }
  }

  /** SIGTERM, or the launch's own stop signal (sent with kill(1): Java sends only TERM/KILL). */
  private static void signal(ProcessHandle victim, String signal) {
    if (signal == null || "TERM".equals(signal)) {
      victim.destroy();
      return;
    }
    try {
      Process kill = new ProcessBuilder("kill", "-s", signal, String.valueOf(victim.pid()))
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
        victim.destroy();
      }
    } catch (IOException e) {
      victim.destroy();
    } catch (InterruptedException e) {
      victim.destroy();
      Thread.currentThread().interrupt();
    }
  }

  synchronized ProcessStatus status() {
    Long pid = process != null && process.isAlive() ? process.pid() : null;
    Long uptime = pid != null && startedAt != null
        ? Duration.between(startedAt, clock.instant()).toSeconds() : null;
    return new ProcessStatus(name, state, pid, uptime, restarts, lastExit, message);
  }

  private Path pidFile() {
    return log.resolveSibling("run").resolve(name + ".pid");
  }

  private void writePidFile(long pid) {
    try {
      PrivateFiles.createDirectories(pidFile().getParent());
      // the stop signal goes with it: a later agent stops a leftover the same clean way
      PrivateFiles.writeString(pidFile(), pid + "\n" + (stopSignal != null ? stopSignal + "\n"
          : ""));
    } catch (IOException e) {
      note("cannot write " + pidFile() + ": " + e.getMessage());
    }
  }

  private void deletePidFile() {
    try {
      Files.deleteIfExists(pidFile());
    } catch (IOException e) {
      // harmless: checked against the command line before use
    }
  }

  /**
   * Stops a process left over from an agent that died without stopping its children (its pid
   * file is still there and the process runs the same program), so the new one can take over.
   */
  void reapLeftover(Duration grace) {
    Path file = pidFile();
    if (!Files.isRegularFile(file)) {
      return;
    }
    try {
      List<String> lines = Files.readAllLines(file);
      long pid = Long.parseLong(lines.get(0).trim());
      String signal = lines.size() > 1 && !lines.get(1).isBlank() ? lines.get(1).trim() : null;
      Optional<ProcessHandle> handle = ProcessHandle.of(pid);
      String marker = log.getParent().getParent().toString();
      if (handle.isPresent() && handle.get().isAlive()
          && (commandLine(handle.get()).contains(marker)
              || commandLine(handle.get()).contains("nats-server"))) {
        note("stopping " + name + " (pid " + pid + ") left over from a previous agent");
        signal(handle.get(), signal);
        handle.get().onExit().get(grace.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (java.util.concurrent.TimeoutException e) {
      ProcessHandle.of(readPid(file)).ifPresent(ProcessHandle::destroyForcibly);
    } catch (Exception e) {
      note("cannot check the leftover " + file + ": " + e.getMessage());
    }
    deletePidFile();
  }

  /**
   * What {@code /proc/<pid>/cmdline} says, arguments joined by spaces: also the title a
   * process gave itself (Redis names its config there; Java's {@code ProcessHandle.Info} would
   * show only the program).
   */
  private static String commandLine(ProcessHandle handle) {
    try {
      byte[] raw = Files.readAllBytes(Path.of("/proc", String.valueOf(handle.pid()), "cmdline"));
      if (raw.length > 0) {
        return new String(raw, java.nio.charset.StandardCharsets.UTF_8).replace('\0', ' ');
      }
    } catch (IOException e) {
      // not Linux, or gone: what Java knows
    }
    return handle.info().commandLine().orElse("");
  }

  private static long readPid(Path file) {
    try {
      return Long.parseLong(Files.readAllLines(file).get(0).trim());
    } catch (Exception e) {
      return -1;
    }
  }

  /** A line in the process's own log, so the operator sees supervision next to its output. */
  private void note(String text) {
    try {
      PrivateFiles.createDirectories(log.getParent());
      PrivateFiles.writeString(log, "--- kato " + clock.instant() + " " + text + "\n",
          StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      // the log is best effort; supervision goes on
    }
  }
}
