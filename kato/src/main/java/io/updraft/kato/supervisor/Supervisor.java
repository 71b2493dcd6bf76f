package io.updraft.kato.supervisor;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Keeps this node's component processes running: starts them, restarts one that exits with a
 * capped exponential {@link Backoff}, stops them (SIGTERM, then SIGKILL after a bound) and
 * reports their state. Thread-safe; {@link #stop} and {@link #restart} block until the
 * processes are gone, so call them off any event loop.
 */
public final class Supervisor implements AutoCloseable {

  private final Path logs;
  private final Backoff backoff;
  private final Duration runningAfter;
  private final Duration stopGrace;
  private final ScheduledExecutorService scheduler;
  private final Map<String, SupervisedProcess> processes =
      Collections.synchronizedMap(new LinkedHashMap<>());

  public Supervisor(Path logs, Backoff backoff, Duration runningAfter, Duration stopGrace) {
    this.logs = logs;
    this.backoff = backoff;
    this.runningAfter = runningAfter;
    this.stopGrace = stopGrace;
    this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "kato-supervisor");
      t.setDaemon(true);
      return t;
    });
  }

  /** Registers a process (stopped) unless it is known already; its log is logs/NAME.log. */
  public void define(String name, Launch.Factory factory) {
    define(name, factory, stopGrace);
  }

  /** Like {@link #define(String, Launch.Factory)}, with its own SIGTERM-to-SIGKILL bound. */
  public void define(String name, Launch.Factory factory, Duration grace) {
    processes.computeIfAbsent(name, n -> {
      SupervisedProcess p = new SupervisedProcess(n, factory, logs.resolve(n + ".log"),
          scheduler, backoff, runningAfter, Clock.systemUTC(), grace);
      p.reapLeftover(grace);
      return p;
    });
  }

  /** Stops and forgets a process (its role was disabled). */
  public void remove(String name) {
    SupervisedProcess p = processes.get(name);
    if (p != null) {
      p.stop();
      processes.remove(name);
    }
  }

  public List<String> names() {
    synchronized (processes) {
      return List.copyOf(processes.keySet());
    }
  }

  public void start(String name) {
    get(name).start();
  }

  /** Stops the named processes in parallel and waits for all of them. */
  public void stop(List<String> names) {
    stop(names, false);
  }

  /** {@code restarting}: each is told a start follows (its restart marker). */
  public void stop(List<String> names, boolean restarting) {
    List<CompletableFuture<Void>> stops = new ArrayList<>();
    for (String name : names) {
      SupervisedProcess p = get(name);
      stops.add(CompletableFuture.runAsync(() -> p.stop(restarting)));
    }
    CompletableFuture.allOf(stops.toArray(CompletableFuture[]::new)).join();
  }

  public void restart(String name) {
    SupervisedProcess p = get(name);
    p.stop(true);
    p.start();
  }

  public Optional<ProcessStatus> status(String name) {
    SupervisedProcess p = processes.get(name);
    return p == null ? Optional.empty() : Optional.of(p.status());
  }

  public List<ProcessStatus> statuses() {
    synchronized (processes) {
      return processes.values().stream().map(SupervisedProcess::status).toList();
    }
  }

  public Path log(String name) {
    return logs.resolve(name + ".log");
  }

  private SupervisedProcess get(String name) {
    SupervisedProcess p = processes.get(name);
    if (p == null) {
      throw new IllegalArgumentException("no process '" + name + "' on this node; it runs: "
          + String.join(", ", names()));
    }
    return p;
  }

  /** Stops every process, last defined first. */
  @Override
  public void close() {
    List<String> reversed = new ArrayList<>(names());
    Collections.reverse(reversed);
    stop(reversed);
    scheduler.shutdownNow();
  }
}
