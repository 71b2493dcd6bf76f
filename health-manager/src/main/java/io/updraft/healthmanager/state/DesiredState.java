package io.updraft.healthmanager.state;

import io.updraft.common.protocol.health.BulkAppsReply.BulkApp;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What should run, as the controller last said (PROTOCOL.md 4.6): each app's desired instances,
 * state, package state and version. An app changed by {@code droplet.updated} is stale, and
 * left alone, until it is re-read or a full scan that began after the change has read it.
 * Event-loop confined.
 */
public final class DesiredState {

  private final Map<String, BulkApp> apps = new HashMap<>();
  /** App id to the time it was marked stale. */
  private final Map<String, Long> stale = new HashMap<>();
  private long lastScanStartedMs = -1;

  /** A full scan's result replaces the table (apps absent from it were deleted). */
  public void replaceAll(Map<String, BulkApp> scanned, long scanStartedMs) {
    // a change after the scan began may be missing from it: such apps stay as they are
    stale.values().removeIf(markedAt -> markedAt < scanStartedMs);
    for (BulkApp app : scanned.values()) {
      if (!stale.containsKey(app.id())) {
        apps.put(app.id(), app);
      }
    }
    apps.keySet().removeIf(id -> !scanned.containsKey(id) && !stale.containsKey(id));
    lastScanStartedMs = scanStartedMs;
  }

  /** One app re-read after {@code droplet.updated}; empty when it no longer exists. */
  public void refreshed(String id, Optional<BulkApp> app, long markedAtMs) {
    if (stale.getOrDefault(id, Long.MAX_VALUE) <= markedAtMs) {
      stale.remove(id);
    }
    if (app.isEmpty()) {
      apps.remove(id);
    } else {
      apps.put(id, app.get());
    }
  }

  public void markStale(String id, long nowMs) {
    stale.put(id, nowMs);
  }

  public boolean isStale(String id) {
    return stale.containsKey(id);
  }

  public Optional<BulkApp> app(String id) {
    return Optional.ofNullable(apps.get(id));
  }

  public Collection<BulkApp> apps() {
    return apps.values();
  }

  public boolean scanned() {
    return lastScanStartedMs >= 0;
  }

  /** Start of the last complete scan; an unknown app's instance older than it is extra. */
  public long lastScanStartedMs() {
    return lastScanStartedMs;
  }

  public int size() {
    return apps.size();
  }
}
