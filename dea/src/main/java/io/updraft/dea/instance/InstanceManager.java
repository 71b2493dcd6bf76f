package io.updraft.dea.instance;

import io.updraft.common.archive.UnreadableArchiveException;
import io.updraft.common.component.ComponentIdentity;
import io.updraft.common.logging.Redact;
import io.updraft.common.protocol.dea.DeaStartRequest;
import io.updraft.common.protocol.dea.Limits;
import io.updraft.common.protocol.droplet.ExitReason;
import io.updraft.dea.DeaConfig;
import io.updraft.dea.droplet.DropletCache;
import io.updraft.dea.droplet.DropletUnpacker;
import io.updraft.dea.isolation.InstanceBackend;
import io.updraft.dea.process.AppEnvironment;
import io.updraft.dea.process.ProcessTree;
import io.updraft.dea.process.ReadinessProbe;
import io.updraft.dea.process.UsageSampler;
import io.updraft.dea.resources.PlacementPolicy;
import io.updraft.dea.resources.ResourceManager;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs instances: accepts a start (reserve, download, unpack, port, environment, launch,
 * readiness), stops (SIGTERM, grace, SIGKILL of the tree), notices crashes and limit
 * breaches, reaps old crash records and re-adopts live processes after a DEA restart.
 * Announcements (exits, routes, heartbeats, adverts) are left to the registry's listeners.
 *
 * <p>Threading: every method runs on the DEA verticle's event loop; blocking work (unpack,
 * spawn, signals, {@code /proc}, directory sizes, deletes) goes to workers through
 * {@code executeBlocking}, and results come back on the same context.
 */
public final class InstanceManager {

  private static final Logger log = LoggerFactory.getLogger(InstanceManager.class);

  /** A start overtaken by a stop: not a crash. */
  private static final class Abandoned extends Exception {
    Abandoned() {
      super("abandoned", null, false, false);
    }
  }

  private record Launched(Process process, ProcessHandle handle, Instant startedAt) {
  }

  private final Vertx vertx;
  private final Context context;
  private final DeaConfig config;
  private final String host;
  private final InstanceRegistry registry;
  private final ResourceManager resources;
  private final PlacementPolicy policy;
  private final DropletCache droplets;
  private final ReadinessProbe probe;
  private final UsageSampler sampler = new UsageSampler();
  private final Clock clock;
  private final Path appsDir;
  private final Map<String, ProcessHandle> processes = new HashMap<>();
  private final Map<String, Future<Void>> stopping = new HashMap<>();
  private InstanceBackend backend;
  /** Whether the kernel enforces memory limits (cgroups), so RSS is only reported. */
  private boolean kernelMemoryLimits;
  private boolean sampling;

  public InstanceManager(Vertx vertx, Context context, DeaConfig config, String host,
      InstanceRegistry registry, ResourceManager resources, PlacementPolicy policy,
      DropletCache droplets, ReadinessProbe probe) {
    this.vertx = vertx;
    this.context = context;
    this.config = config;
    this.host = host;
    this.registry = registry;
    this.resources = resources;
    this.policy = policy;
    this.droplets = droplets;
    this.probe = probe;
    this.clock = registry.clock();
    this.appsDir = config.basePath().resolve("apps");
  }

  /** The backend that runs instances; {@code kernelMemoryLimits}: cgroups enforce memory. */
  public void backend(InstanceBackend backend, boolean kernelMemoryLimits) {
    this.backend = backend;
    this.kernelMemoryLimits = kernelMemoryLimits;
  }

  public InstanceBackend backend() {
    return backend;
  }

  public Path appsDir() {
    return appsDir;
  }

  /** The limits an instance runs with: the request's, else v1 defaults and our disk quota. */
  public Limits effectiveLimits(Limits requested) {
    Limits r = requested == null ? new Limits(null, null, null) : requested;
    return new Limits(r.memMb() != null ? r.memMb() : Limits.DEFAULTS.memMb(),
        r.diskMb() != null ? r.diskMb() : config.defaultDiskQuotaMb(),
        r.fds() != null ? r.fds() : Limits.DEFAULTS.fds());
  }

  /** Why this DEA will not start {@code req}, or null when it will. */
  public String refusal(DeaStartRequest req) {
    if (resources.shuttingDown()) {
      return "shutting down";
    }
    String policyRefusal = policy.refusal(req.runtimeName(), req.prod());
    if (policyRefusal != null) {
      return policyRefusal;
    }
    if (!resources.canAccept(effectiveLimits(req.limits()).memMb())) {
      return "no room (" + resources.availableMemoryMb() + " MB, "
          + (resources.maxInstances() - resources.usedSlots()) + " slots free)";
    }
    return null;
  }

  /** Accepts and starts an instance; empty when refused (the controller sees no heartbeat). */
  public Optional<Instance> start(DeaStartRequest req) {
    String refusal = refusal(req);
    if (refusal != null) {
      log.atWarn().setMessage("dea.start.refused").addKeyValue("droplet", req.droplet())
          .addKeyValue("index", req.index()).addKeyValue("reason", refusal).log();
      return Optional.empty();
    }
    String id = ComponentIdentity.secureId();
    Instance instance = new Instance(id, ComponentIdentity.secureId() + ComponentIdentity.secureId(),
        req, effectiveLimits(req.limits()), appsDir.resolve(Instance.dirName(req.name(),
        req.index(), id)), clock.instant());
    registry.add(instance);
    log.atInfo().setMessage("dea.instance.starting").addKeyValue("droplet", req.droplet())
        .addKeyValue("index", req.index()).addKeyValue("instance", id)
        .addKeyValue("version", req.version()).addKeyValue("sha1", req.sha1())
        .addKeyValue("uri", Redact.url(req.executableUri())).log();
    Set<Integer> taken = new HashSet<>();
    registry.all().forEach(i -> {
      if (i.port() != null) {
        taken.add(i.port());
      }
    });
    List<Instance> others = List.copyOf(registry.all());
    InstanceBackend b = backend;
    droplets.obtain(req.sha1(), req.executableUri())
        .compose(tgz -> whileStarting(instance).compose(v -> vertx.executeBlocking(() -> {
          b.prepare(instance, others);
          DropletUnpacker.unpack(tgz, instance.dir(), instance.limits().diskMb());
          Files.createDirectories(instance.dir().resolve("logs"));
          Files.createDirectories(instance.dir().resolve("tmp"));
          return freePort(taken);
        }, false)))
        .compose(port -> whileStarting(instance).map(v -> {
          instance.port(port);
          InstanceBackend.AppView view = b.view(instance, host);
          return AppEnvironment.build(instance, view.host(), view.path(), view.home());
        }))
        .compose(env -> vertx.executeBlocking(() -> {
          Process process = b.launch(instance, env);
          ProcessHandle handle = process.toHandle();
          return new Launched(process, handle, handle.info().startInstant().orElse(null));
        }, false))
        .compose(launched -> {
          ProcessHandle handle = launched.handle();
          instance.process(handle.pid(), launched.startedAt() != null ? launched.startedAt()
              : clock.instant());
          processes.put(instance.id(), handle);
          registry.touched();
          watch(instance, handle, launched.process());
          if (instance.state() != InstanceState.STARTING) {
            // stopped while we were spawning: the stop found no process, so kill it here
            return killTree(instance).compose(v -> release(instance))
                .compose(v -> Future.failedFuture(new Abandoned()));
          }
          log.atInfo().setMessage("dea.instance.launched").addKeyValue("instance", instance.id())
              .addKeyValue("pid", handle.pid()).addKeyValue("port", instance.port()).log();
          return awaitReadiness(instance);
        })
        .onFailure(e -> {
          if (e instanceof UnreadableArchiveException) {
            // verified when cached, so the copy on disk went bad: fetch it again next time
            droplets.evict(req.sha1());
          }
          if (!(e instanceof Abandoned)) {
            crash(instance, e.getMessage() == null ? e.toString() : e.getMessage());
          } else if (registry.get(instance.id()).isEmpty()) {
            deleteDir(instance); // an unpack may have finished after the stop cleaned up
          }
        });
    return Optional.of(instance);
  }

  private Future<Void> whileStarting(Instance instance) {
    return instance.state() == InstanceState.STARTING ? Future.succeededFuture()
        : Future.failedFuture(new Abandoned());
  }

  private Future<Void> awaitReadiness(Instance instance) {
    if (instance.uris().isEmpty() || instance.port() == null) {
      // a worker app: nothing to probe (v1 declared it running at once)
      registry.tryTransition(instance, InstanceState.RUNNING);
      return Future.succeededFuture();
    }
    return probe.await(instance.host(host), instance.port(), config.startTimeout(),
            () -> instance.state() == InstanceState.STARTING)
        .compose(outcome -> switch (outcome) {
          case READY -> {
            if (registry.tryTransition(instance, InstanceState.RUNNING)) {
              log.atInfo().setMessage("dea.instance.running").addKeyValue("instance",
                  instance.id()).addKeyValue("droplet", instance.droplet())
                  .addKeyValue("port", instance.port()).log();
            }
            yield Future.succeededFuture();
          }
          case TIMED_OUT -> Future.failedFuture("port " + instance.port()
              + " did not accept connections within " + config.startTimeout().toSeconds() + " s");
          case ABANDONED -> Future.failedFuture(new Abandoned());
        });
  }

  private void watch(Instance instance, ProcessHandle handle, Process child) {
    InstanceBackend b = backend;
    Future.fromCompletionStage(handle.onExit(), context)
        .compose(h -> vertx.executeBlocking(() -> b.exitReason(instance,
            child != null ? child.exitValue() : null), false))
        .onComplete(ar -> {
          if (instance.state().isLive() && Long.valueOf(handle.pid()).equals(instance.pid())) {
            crash(instance, ar.succeeded() ? ar.result() : "app exited");
          }
        });
  }

  /**
   * Marks a live instance CRASHED (the exit listener announces it), kills what is left of
   * its tree, and drops it at once when it was a flapping restart (v1 kept only non-flapping
   * crash records).
   */
  public void crash(Instance instance, String reason) {
    if (!instance.state().canBecome(InstanceState.CRASHED)) {
      return;
    }
    instance.crashReason(reason);
    instance.exitReason(ExitReason.CRASHED);
    registry.transition(instance, InstanceState.CRASHED);
    log.atWarn().setMessage("dea.instance.crashed").addKeyValue("instance", instance.id())
        .addKeyValue("droplet", instance.droplet()).addKeyValue("index", instance.index())
        .addKeyValue("reason", reason).log();
    Path stderr = instance.dir().resolve("logs").resolve("stderr.log");
    String note = "[updraft-dea] " + clock.instant() + " instance crashed: " + reason + "\n";
    killTree(instance)
        .compose(v -> release(instance))
        // like v1's logs/err.log note: crashlogs show why the DEA gave up on the instance
        .compose(v -> vertx.executeBlocking(() -> {
          Path logs = stderr.getParent();
          Files.createDirectories(logs);
          if (!Files.isSymbolicLink(logs)) {
            Files.writeString(stderr, note, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND, LinkOption.NOFOLLOW_LINKS);
          }
          return null;
        }, false))
        .onComplete(ar -> {
          releaseProcess(instance);
          if (instance.flapping()) {
            delete(instance);
          }
        });
  }

  /**
   * Stops an instance: a live one is announced with {@code reason} and terminated (STOPPED,
   * record and directory removed); a crash record is deleted (DELETED).
   */
  public Future<Void> stop(Instance instance, ExitReason reason) {
    Future<Void> pending = stopping.get(instance.id());
    if (pending != null) {
      return pending;
    }
    if (instance.state() == InstanceState.CRASHED) {
      return delete(instance);
    }
    if (!instance.state().isLive()) {
      return Future.succeededFuture();
    }
    instance.exitReason(reason);
    registry.transition(instance, InstanceState.STOPPING);
    log.atInfo().setMessage("dea.instance.stopping").addKeyValue("instance", instance.id())
        .addKeyValue("droplet", instance.droplet()).addKeyValue("reason", reason).log();
    ProcessHandle handle = processes.get(instance.id());
    Future<Void> result = (handle == null ? Future.<Boolean>succeededFuture(true)
        : vertx.executeBlocking(() -> ProcessTree.terminate(handle, config.stopGrace()), false))
        .recover(e -> Future.succeededFuture(false))
        .compose(gone -> {
          if (!gone) {
            log.atWarn().setMessage("dea.instance.stop.survivors")
                .addKeyValue("instance", instance.id()).log();
          }
          return release(instance);
        })
        .compose(v -> {
          registry.transition(instance, InstanceState.STOPPED);
          releaseProcess(instance);
          registry.remove(instance);
          return deleteDir(instance);
        })
        .onComplete(ar -> stopping.remove(instance.id()));
    stopping.put(instance.id(), result);
    return result;
  }

  /** A crash record goes away with its files (dea.stop on CRASHED, the reaper, flapping). */
  private Future<Void> delete(Instance instance) {
    if (registry.tryTransition(instance, InstanceState.DELETED)) {
      registry.remove(instance);
      log.atInfo().setMessage("dea.instance.deleted").addKeyValue("instance", instance.id())
          .log();
      return deleteDir(instance);
    }
    return Future.succeededFuture();
  }

  /** Frees what the backend holds for the instance once its process is gone; never fails. */
  private Future<Void> release(Instance instance) {
    InstanceBackend b = backend;
    return vertx.executeBlocking(() -> {
      b.release(instance);
      return null;
    }, false).recover(e -> {
      log.atWarn().setMessage("dea.instance.release.failed").addKeyValue("instance",
          instance.id()).addKeyValue("error", e.getMessage()).log();
      return Future.succeededFuture();
    }).mapEmpty();
  }

  private Future<Void> deleteDir(Instance instance) {
    return vertx.executeBlocking(() -> {
      Dirs.deleteRecursively(instance.dir());
      return null;
    }, false).recover(e -> {
      log.atWarn().setMessage("dea.instance.cleanup.failed").addKeyValue("instance",
          instance.id()).addKeyValue("error", e.getMessage()).log();
      return Future.succeededFuture();
    }).mapEmpty();
  }

  private Future<Void> killTree(Instance instance) {
    ProcessHandle handle = processes.get(instance.id());
    if (handle == null) {
      return Future.succeededFuture();
    }
    return vertx.executeBlocking(() -> ProcessTree.kill(handle), false)
        .recover(e -> Future.succeededFuture(false)).mapEmpty();
  }

  private void releaseProcess(Instance instance) {
    processes.remove(instance.id());
    sampler.forget(instance.id());
  }

  /** Stops every instance selected, as {@code dea.stop} asks. */
  public Future<Void> stopAll(List<Instance> instances, ExitReason reason) {
    return Future.join(instances.stream().map(i -> stop(i, reason)).toList()).mapEmpty();
  }

  /**
   * One monitoring pass: samples CPU, RSS and disk of every live instance on a worker, then
   * stops with CRASHED the ones over their memory limit ("out of memory"; only without cgroup
   * limits, which the kernel enforces itself) or their disk quota.
   */
  public Future<Void> monitor() {
    if (sampling) {
      return Future.succeededFuture();
    }
    List<Instance> live = registry.all().stream().filter(i -> i.state().isLive()).toList();
    if (live.isEmpty()) {
      return Future.succeededFuture();
    }
    Map<String, ProcessHandle> handles = new HashMap<>();
    live.forEach(i -> handles.put(i.id(), processes.get(i.id())));
    sampling = true;
    InstanceBackend b = backend;
    return vertx.executeBlocking(() -> {
      Map<String, UsageSampler.Sample> samples = new HashMap<>();
      for (Instance i : live) {
        UsageSampler.Sample s = sampler.sample(i.id(), handles.get(i.id()), i.dir());
        long kernelKb = b.memoryKb(i);
        samples.put(i.id(), kernelKb < 0 ? s
            : new UsageSampler.Sample(kernelKb, s.cpuPercent(), s.diskBytes()));
      }
      return samples;
    }, true).onComplete(ar -> sampling = false).map(samples -> {
      Instant now = clock.instant();
      for (Instance i : live) {
        UsageSampler.Sample s = samples.get(i.id());
        if (s == null || !i.state().isLive()) {
          continue;
        }
        i.usage(new Instance.Usage(now, s.cpuPercent(), s.rssKb(), s.diskBytes()));
        String breach = limitBreach(i.limits(), s, kernelMemoryLimits);
        if (breach != null) {
          crash(i, breach);
        }
      }
      return null;
    });
  }

  /** Which limit a sample breaks, or null. Pure; the reason is the crash reason. */
  public static String limitBreach(Limits limits, UsageSampler.Sample sample, boolean cgroupMemory) {
    if (!cgroupMemory && sample.rssKb() > limits.memMb() * 1024L) {
      return "out of memory";
    }
    if (sample.diskBytes() > limits.diskMb() * 1024L * 1024L) {
      return "disk quota exceeded";
    }
    return null;
  }

  /** Deletes crash records older than the retention (v1's 1-hour reaper). */
  public void reap() {
    Instant cutoff = clock.instant().minus(config.crashRetention());
    registry.all().stream()
        .filter(i -> i.state() == InstanceState.CRASHED && i.stateSince().isBefore(cutoff))
        .forEach(this::delete);
  }

  /**
   * Re-adopts a snapshot after a restart: live processes (same pid and start time) are watched
   * again (and STARTING ones probed again); records whose process is gone become CRASHED (and
   * are announced); directories under {@code apps/} that no record owns are deleted.
   */
  public Future<List<Instance>> adopt(List<InstanceSnapshot.Entry> entries) {
    List<Instance> restored = new ArrayList<>();
    for (InstanceSnapshot.Entry e : entries) {
      if (e.state() == InstanceState.STOPPED || e.state() == InstanceState.DELETED) {
        continue;
      }
      Instance i = e.toInstance();
      if (!i.dir().startsWith(appsDir) || registry.get(i.id()).isPresent()) {
        continue; // not ours (moved base dir) or duplicate
      }
      restored.add(i);
    }
    return vertx.executeBlocking(() -> {
      Map<String, ProcessHandle> alive = new HashMap<>();
      for (Instance i : restored) {
        if (i.pid() != null) {
          ProcessTree.find(i.pid(), i.pidStartedAt()).ifPresent(h -> alive.put(i.id(), h));
        }
      }
      Set<Path> owned = new HashSet<>();
      restored.forEach(i -> owned.add(i.dir()));
      backend.reconcile(restored.stream().filter(i -> alive.containsKey(i.id())).toList());
      if (Files.isDirectory(appsDir)) {
        try (Stream<Path> dirs = Files.list(appsDir)) {
          for (Path d : dirs.toList()) {
            if (!owned.contains(d)) {
              Dirs.deleteRecursively(d);
            }
          }
        }
      }
      return alive;
    }, false).map(alive -> {
      for (Instance i : restored) {
        registry.add(i);
        ProcessHandle h = alive.get(i.id());
        if (h != null) {
          processes.put(i.id(), h);
        }
        log.atInfo().setMessage("dea.instance.adopted").addKeyValue("instance", i.id())
            .addKeyValue("state", i.state()).addKeyValue("alive", h != null).log();
      }
      for (Instance i : restored) {
        ProcessHandle h = processes.get(i.id());
        if (i.state() == InstanceState.STOPPING) {
          // was being stopped when the DEA went down: its exit is already announced
          Future<Void> kill = h == null ? Future.succeededFuture() : killTree(i);
          kill.onComplete(ar -> {
            registry.transition(i, InstanceState.STOPPED);
            releaseProcess(i);
            registry.remove(i);
            deleteDir(i);
          });
        } else if (i.state().isLive() && h == null) {
          crash(i, "process gone while the DEA was down");
        } else if (i.state().isLive()) {
          watch(i, h, null);
          if (i.state() == InstanceState.STARTING) {
            awaitReadiness(i).onFailure(e -> {
              if (!(e instanceof Abandoned)) {
                crash(i, e.getMessage());
              }
            });
          }
        }
      }
      return restored;
    });
  }

  /** The handle of an instance's process while it is watched (tests, files, stats). */
  public Optional<ProcessHandle> process(String instanceId) {
    return Optional.ofNullable(processes.get(instanceId));
  }

  private static int freePort(Set<Integer> taken) throws IOException {
    for (int attempt = 0; attempt < 20; attempt++) {
      try (ServerSocket socket = new ServerSocket(0)) {
        int port = socket.getLocalPort();
        if (!taken.contains(port)) {
          return port;
        }
      }
    }
    throw new IOException("no free port");
  }
}
