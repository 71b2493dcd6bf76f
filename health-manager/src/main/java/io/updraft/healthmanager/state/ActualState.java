package io.updraft.healthmanager.state;

import io.updraft.common.protocol.dea.Heartbeat;
import io.updraft.common.protocol.dea.InstanceState;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What runs, from {@code dea.heartbeat} and {@code droplet.exited} (PROTOCOL.md 3.10): every
 * STARTING or RUNNING instance with the DEA that reported it, and when each DEA was last heard.
 * CRASHED entries are not live instances (the exit message tells about the crash). An instance
 * or a whole DEA not heard from for the lost threshold is dropped, which makes its indices
 * missing. Event-loop confined.
 */
public final class ActualState {

  /** A DEA that stopped heartbeating, with the instances it was running. */
  public record LostDea(String id, long lastSeenMs, List<ObservedInstance> instances) {
  }

  private static final class Dea {
    long lastSeenMs;
    final Set<String> instances = new HashSet<>();
  }

  private final Map<String, ObservedInstance> byId = new HashMap<>();
  private final Map<String, Map<String, ObservedInstance>> byApp = new HashMap<>();
  private final Map<String, Dea> deas = new HashMap<>();

  /** Records a heartbeat; returns the ids of CRASHED entries (retained by the DEA). */
  public List<Heartbeat.InstanceHeartbeat> heartbeat(Heartbeat hb, long nowMs) {
    String deaId = hb.dea() == null ? "unknown" : hb.dea();
    Dea dea = deas.computeIfAbsent(deaId, k -> new Dea());
    dea.lastSeenMs = nowMs;
    List<Heartbeat.InstanceHeartbeat> crashed = null;
    for (Heartbeat.InstanceHeartbeat entry : hb.droplets()) {
      if (entry.state() != InstanceState.STARTING && entry.state() != InstanceState.RUNNING) {
        if (entry.state() == InstanceState.CRASHED) {
          crashed = crashed == null ? new ArrayList<>() : crashed;
          crashed.add(entry);
        }
        continue;
      }
      ObservedInstance instance = byId.get(entry.instance());
      if (instance == null) {
        instance = new ObservedInstance(entry.instance(), entry.droplet(),
            entry.version() == null ? "" : entry.version(), entry.index(), nowMs);
        byId.put(instance.id(), instance);
        byApp.computeIfAbsent(instance.app(), k -> new HashMap<>()).put(instance.id(), instance);
      } else if (instance.dea() != null && !instance.dea().equals(deaId)) {
        Dea previous = deas.get(instance.dea());
        if (previous != null) {
          previous.instances.remove(instance.id());
        }
      }
      instance.seen(deaId, entry.state(),
          entry.stateTimestamp() == null ? nowMs / 1000 : entry.stateTimestamp(), nowMs);
      dea.instances.add(instance.id());
    }
    return crashed == null ? List.of() : crashed;
  }

  /** Forgets an instance (it exited); returns it if it was known. */
  public ObservedInstance remove(String instanceId) {
    ObservedInstance instance = byId.remove(instanceId);
    if (instance == null) {
      return null;
    }
    Map<String, ObservedInstance> ofApp = byApp.get(instance.app());
    if (ofApp != null) {
      ofApp.remove(instanceId);
      if (ofApp.isEmpty()) {
        byApp.remove(instance.app());
      }
    }
    Dea dea = instance.dea() == null ? null : deas.get(instance.dea());
    if (dea != null) {
      dea.instances.remove(instanceId);
    }
    return instance;
  }

  /** Drops the DEAs silent since before {@code cutoffMs}, with their instances. */
  public List<LostDea> dropSilentDeas(long cutoffMs) {
    List<LostDea> lost = new ArrayList<>();
    for (Iterator<Map.Entry<String, Dea>> it = deas.entrySet().iterator(); it.hasNext();) {
      Map.Entry<String, Dea> e = it.next();
      if (e.getValue().lastSeenMs < cutoffMs) {
        it.remove();
        List<ObservedInstance> gone = new ArrayList<>();
        for (String id : List.copyOf(e.getValue().instances)) {
          ObservedInstance instance = remove(id);
          if (instance != null) {
            gone.add(instance);
          }
        }
        lost.add(new LostDea(e.getKey(), e.getValue().lastSeenMs, gone));
      }
    }
    return lost;
  }

  /** Drops instances their (still live) DEA stopped reporting before {@code cutoffMs}. */
  public List<ObservedInstance> dropSilentInstances(long cutoffMs) {
    List<ObservedInstance> gone = new ArrayList<>();
    for (ObservedInstance instance : byId.values()) {
      if (instance.lastSeenMs() < cutoffMs) {
        gone.add(instance);
      }
    }
    gone.forEach(i -> remove(i.id()));
    return gone;
  }

  public Collection<ObservedInstance> instances(String app) {
    Map<String, ObservedInstance> ofApp = byApp.get(app);
    return ofApp == null ? List.of() : ofApp.values();
  }

  /** Apps with at least one live instance. */
  public Set<String> apps() {
    return byApp.keySet();
  }

  public int instanceCount() {
    return byId.size();
  }

  public int deaCount() {
    return deas.size();
  }

  /** The DEAs heard from within the lost threshold. */
  public Set<String> deaIds() {
    return java.util.Collections.unmodifiableSet(deas.keySet());
  }

  /** Forgets every DEA's last-heard time, e.g. after a NATS outage, keeping the instances. */
  public void refreshAll(long nowMs) {
    deas.values().forEach(d -> d.lastSeenMs = nowMs);
    byId.values().forEach(i -> i.seen(i.dea(), i.state(), i.stateTimestamp(), nowMs));
  }
}
