package io.updraft.healthmanager.analysis;

import io.updraft.common.protocol.dea.Heartbeat.InstanceHeartbeat;
import io.updraft.common.protocol.droplet.DropletExited;
import io.updraft.common.protocol.droplet.ExitReason;
import io.updraft.common.protocol.health.BulkAppsReply.BulkApp;
import io.updraft.common.protocol.health.CrashesStatusReply;
import io.updraft.common.protocol.health.FlappingStatusReply;
import io.updraft.healthmanager.HealthManagerConfig;
import io.updraft.healthmanager.state.ActualState;
import io.updraft.healthmanager.state.ActualState.LostDea;
import io.updraft.healthmanager.state.DesiredState;
import io.updraft.healthmanager.state.ObservedInstance;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Compares what should run with what runs and asks the controllers to close the gap
 * (PROTOCOL.md 5.2, 5.3, with Updraft's timings):
 *
 * <ul>
 *   <li><b>missing</b>: an index of a STARTED, staged app with no STARTING/RUNNING instance of
 *   the current version, including every instance of a DEA whose heartbeats stopped; started
 *   again unless a start is still pending, the crash policy says wait, or the app changed
 *   within {@code start_pending_seconds} (the controller is placing it itself);</li>
 *   <li><b>extra</b>: instances of stopped or deleted apps, at an index beyond the desired
 *   count, duplicates of an index, and old versions once the current one runs in full;</li>
 *   <li><b>crashed</b>: a crash exit is restarted at once while the crash policy allows,
 *   evacuated and shut-down instances at once and first.</li>
 * </ul>
 *
 * <p>Every event updates the state whether or not this health manager may act; {@code act}
 * false (standby, grace period) only holds the requests back. Event-loop confined.
 */
public final class Analyzer {

  private static final Logger log = LoggerFactory.getLogger(Analyzer.class);

  private final HealthManagerConfig config;
  private final DesiredState desired;
  private final ActualState actual;
  private final CrashPolicy crashes;
  private final RequestQueue requests;
  private final Map<IndexKey, Long> pendingStarts = new HashMap<>();
  private final Set<IndexKey> urgent = new HashSet<>();
  private final Map<String, Long> unknownAppStops = new HashMap<>();
  private final Map<String, Deque<CrashesStatusReply.Crash>> recentCrashes = new HashMap<>();
  /** DEAs a controller drains for a scale-down (their instances are moving off them). */
  private java.util.function.Predicate<String> draining = dea -> false;
  private long lostDeas;
  private long crashCount;

  public Analyzer(HealthManagerConfig config, DesiredState desired, ActualState actual,
      CrashPolicy crashes, RequestQueue requests) {
    this.config = config;
    this.desired = desired;
    this.actual = actual;
    this.crashes = crashes;
    this.requests = requests;
  }

  /** Tells the analysis which DEAs are being drained. */
  public void draining(java.util.function.Predicate<String> isDraining) {
    this.draining = isDraining;
  }

  /** An instance stopped (PROTOCOL.md 3.10). */
  public void onExit(DropletExited exit, long nowMs, boolean act) {
    actual.remove(exit.instance());
    if (exit.reason() == ExitReason.CRASHED) {
      crashCount++;
      rememberCrash(exit.droplet(), exit.instance(),
          exit.crashTimestamp() == null ? nowMs / 1000 : exit.crashTimestamp());
    }
    BulkApp app = desired.app(exit.droplet()).orElse(null);
    if (app == null || !app.started() || !app.staged() || exit.version() == null
        || !exit.version().equals(app.version()) || exit.index() >= app.instances()) {
      return;
    }
    IndexKey key = new IndexKey(app.id(), app.version(), exit.index());
    switch (exit.reason()) {
      case CRASHED -> {
        pendingStarts.remove(key);
        CrashPolicy.History h = crashes.crashed(key, nowMs);
        log.atInfo().setMessage("hm.instance.crashed").addKeyValue("app", app.id())
            .addKeyValue("index", exit.index()).addKeyValue("instance", exit.instance())
            .addKeyValue("crashes", h.crashes()).addKeyValue("flapping", h.flapping())
            .addKeyValue("gave_up", h.gaveUp())
            .addKeyValue("restart_in_ms", Math.max(0, h.restartAtMs() - nowMs))
            .addKeyValue("description", exit.exitDescription()).log();
        if (act && !h.gaveUp() && h.restartAtMs() <= nowMs && !liveAt(app, exit.index())) {
          requestStart(app, key, h.flapping(), nowMs);
          requests.send();
        }
      }
      case DEA_SHUTDOWN, DEA_EVACUATION -> {
        urgent.add(key);
        if (act && !liveAt(app, exit.index())) {
          requestStart(app, key, false, nowMs);
          requests.send();
        }
      }
      default -> { }
    }
  }

  /** CRASHED entries a DEA still retains: remembered as crashes if the exit was missed. */
  public void onRetainedCrashes(List<InstanceHeartbeat> crashed) {
    for (InstanceHeartbeat entry : crashed) {
      Deque<CrashesStatusReply.Crash> list = recentCrashes.get(entry.droplet());
      if (list == null || list.stream().noneMatch(c -> c.instance().equals(entry.instance()))) {
        rememberCrash(entry.droplet(), entry.instance(), entry.stateTimestamp());
      }
    }
  }

  /**
   * One analysis pass: drops silent DEAs and instances, then requests starts of missing and
   * stops of extra instances (when {@code act}). Returns the DEAs declared lost in this pass.
   */
  public List<LostDea> analyze(long nowMs, boolean act) {
    long cutoff = nowMs - config.deaLostSeconds() * 1000L;
    List<LostDea> lost = actual.dropSilentDeas(cutoff);
    for (LostDea dea : lost) {
      lostDeas++;
      log.atWarn().setMessage("hm.dea.lost").addKeyValue("dea", dea.id())
          .addKeyValue("instances", dea.instances().size())
          .addKeyValue("silent_ms", nowMs - dea.lastSeenMs()).log();
      dea.instances().forEach(i -> urgent.add(new IndexKey(i.app(), i.version(), i.index())));
    }
    actual.dropSilentInstances(cutoff);
    pendingStarts.values().removeIf(at -> nowMs - at > config.startPendingSeconds() * 1000L);
    if (!act || !desired.scanned()) {
      return lost;
    }
    for (BulkApp app : desired.apps()) {
      if (!desired.isStale(app.id())) {
        analyzeApp(app, nowMs);
      }
    }
    stopUnknownApps(nowMs);
    urgent.removeIf(k -> desired.app(k.app()).map(a -> !a.version().equals(k.version())
        || k.index() >= a.instances()).orElse(true));
    crashes.prune(nowMs, k -> desired.app(k.app()).map(a -> a.version().equals(k.version()))
        .orElse(false));
    pruneCrashes(nowMs);
    return lost;
  }

  private void analyzeApp(BulkApp app, long nowMs) {
    Collection<ObservedInstance> live = actual.instances(app.id());
    Set<String> extra = new HashSet<>();
    if (!app.started()) {
      live.forEach(i -> extra.add(i.id()));
      stop(app, live, extra, nowMs);
      return;
    }
    Map<Integer, List<ObservedInstance>> current = new HashMap<>();
    int runningCurrent = 0;
    for (ObservedInstance i : live) {
      if (i.version().equals(app.version()) && i.index() < app.instances()) {
        current.computeIfAbsent(i.index(), k -> new ArrayList<>(1)).add(i);
        if (i.running()) {
          runningCurrent++;
        }
      }
    }
    for (ObservedInstance i : live) {
      if (i.index() >= app.instances()) {
        extra.add(i.id());
      } else if (!i.version().equals(app.version())) {
        // rolling: the old version goes once the new one runs in full
        if (runningCurrent >= app.instances()) {
          extra.add(i.id());
        }
      }
    }
    for (List<ObservedInstance> same : current.values()) {
      if (same.size() > 1) {
        duplicates(same, extra);
      }
    }
    stop(app, live, extra, nowMs);
    boolean settling = nowMs / 1000 - app.updatedAt() < config.startPendingSeconds();
    if (!app.staged() || settling) {
      return;
    }
    for (int index = 0; index < app.instances(); index++) {
      if (current.containsKey(index)) {
        continue;
      }
      IndexKey key = new IndexKey(app.id(), app.version(), index);
      if (pendingStarts.containsKey(key) || !crashes.mayStart(key, nowMs)) {
        continue;
      }
      CrashPolicy.History h = crashes.history(key);
      requestStart(app, key, h != null && h.flapping(), nowMs);
    }
  }

  /**
   * Of several instances at one index, keeps the one heard first (RUNNING before STARTING).
   * A copy on a draining DEA is being replaced: it stays while its replacement starts (so the
   * app keeps serving) and goes once the replacement runs; the replacement is never stopped.
   */
  private void duplicates(List<ObservedInstance> same, Set<String> extra) {
    Comparator<ObservedInstance> firstHeard = Comparator.comparing(
        (ObservedInstance i) -> !i.running()).thenComparingLong(ObservedInstance::firstSeenMs);
    List<ObservedInstance> staying = new ArrayList<>();
    List<ObservedInstance> leaving = new ArrayList<>();
    for (ObservedInstance i : same) {
      (i.dea() != null && draining.test(i.dea()) ? leaving : staying).add(i);
    }
    if (staying.isEmpty()) {
      staying = leaving;
      leaving = List.of();
    }
    staying.sort(firstHeard);
    staying.subList(1, staying.size()).forEach(i -> extra.add(i.id()));
    if (staying.get(0).running()) {
      leaving.forEach(i -> extra.add(i.id()));
    }
  }

  private void requestStart(BulkApp app, IndexKey key, boolean flapping, long nowMs) {
    pendingStarts.put(key, nowMs);
    requests.start(key, app.updatedAt(), flapping, urgent.remove(key));
  }

  private void stop(BulkApp app, Collection<ObservedInstance> live, Set<String> extra,
      long nowMs) {
    if (extra.isEmpty()) {
      return;
    }
    long resend = config.startPendingSeconds() * 1000L;
    List<String> due = new ArrayList<>();
    List<ObservedInstance> ordered = new ArrayList<>(live);
    ordered.sort(Comparator.comparingInt(ObservedInstance::index)
        .thenComparing(ObservedInstance::id));
    for (ObservedInstance i : ordered) {
      if (extra.contains(i.id()) && (i.stopRequestedMs() < 0 || nowMs - i.stopRequestedMs()
          > resend)) {
        i.stopRequested(nowMs);
        due.add(i.id());
      }
    }
    if (!due.isEmpty()) {
      log.atInfo().setMessage("hm.stop.requested").addKeyValue("app", app.id())
          .addKeyValue("instances", due).log();
      requests.stop(app.id(), app.updatedAt(), due);
    }
  }

  /** Instances of apps the controller no longer has, heard before the last full scan began. */
  private void stopUnknownApps(long nowMs) {
    unknownAppStops.values().removeIf(at -> nowMs - at > config.startPendingSeconds() * 1000L);
    for (String appId : List.copyOf(actual.apps())) {
      if (desired.app(appId).isPresent() || desired.isStale(appId)
          || unknownAppStops.containsKey(appId)) {
        continue;
      }
      boolean old = actual.instances(appId).stream()
          .anyMatch(i -> i.firstSeenMs() < desired.lastScanStartedMs());
      if (old) {
        unknownAppStops.put(appId, nowMs);
        log.atInfo().setMessage("hm.stop.unknown_app").addKeyValue("app", appId).log();
        requests.stopApp(appId);
      }
    }
  }

  private boolean liveAt(BulkApp app, int index) {
    return actual.instances(app.id()).stream()
        .anyMatch(i -> i.index() == index && i.version().equals(app.version()));
  }

  private void rememberCrash(String app, String instance, Long since) {
    recentCrashes.computeIfAbsent(app, k -> new ArrayDeque<>())
        .addLast(new CrashesStatusReply.Crash(instance, since));
  }

  private void pruneCrashes(long nowMs) {
    long cutoff = nowMs / 1000 - config.crashRetentionSeconds();
    recentCrashes.values().forEach(q -> {
      while (!q.isEmpty() && q.peekFirst().since() != null && q.peekFirst().since() < cutoff) {
        q.pollFirst();
      }
    });
    recentCrashes.values().removeIf(Deque::isEmpty);
  }

  /** Instances of that version in state RUNNING ({@code healthmanager.health}). */
  public int healthy(String app, String version) {
    return (int) actual.instances(app).stream()
        .filter(i -> i.running() && (version == null || version.equals(i.version()))).count();
  }

  /** Flapping indices of a version that do not run now ({@code healthmanager.status}). */
  public List<FlappingStatusReply.FlappingIndex> flapping(String app, String version) {
    List<FlappingStatusReply.FlappingIndex> out = new ArrayList<>();
    for (var e : crashes.flapping(app, version)) {
      int index = e.getKey().index();
      boolean running = actual.instances(app).stream()
          .anyMatch(i -> i.index() == index && i.running() && i.version().equals(version));
      if (!running) {
        out.add(new FlappingStatusReply.FlappingIndex(index, e.getValue().flappingSinceMs()
            / 1000));
      }
    }
    out.sort(Comparator.comparing(FlappingStatusReply.FlappingIndex::index));
    return out;
  }

  /** Recent crashes of an app, oldest first ({@code healthmanager.status} CRASHED). */
  public List<CrashesStatusReply.Crash> crashes(String app) {
    Deque<CrashesStatusReply.Crash> q = recentCrashes.get(app);
    return q == null ? List.of() : List.copyOf(q);
  }

  /** The health manager's record of one app ({@code healthmanager.droplet}). */
  public io.updraft.common.protocol.health.HealthDropletReply record(String app) {
    BulkApp wanted = desired.app(app).orElse(null);
    List<io.updraft.common.protocol.health.HealthDropletReply.Instance> live = actual
        .instances(app).stream()
        .sorted(Comparator.comparingInt(ObservedInstance::index))
        .map(i -> new io.updraft.common.protocol.health.HealthDropletReply.Instance(i.id(),
            i.index(), i.version(), i.state().name(), i.dea(), i.stateTimestamp()))
        .toList();
    List<Integer> flappingIndices = wanted == null ? List.of()
        : flapping(app, wanted.version()).stream()
            .map(FlappingStatusReply.FlappingIndex::index).toList();
    return new io.updraft.common.protocol.health.HealthDropletReply(app, wanted, live,
        flappingIndices, crashes(app).size());
  }

  /** Does this health manager know the app (it answers queries only then, as v1)? */
  public boolean knows(String app) {
    return desired.app(app).isPresent() || !actual.instances(app).isEmpty()
        || recentCrashes.containsKey(app);
  }

  public long lostDeas() {
    return lostDeas;
  }

  public long crashes() {
    return crashCount;
  }

  public int pendingStarts() {
    return pendingStarts.size();
  }
}
