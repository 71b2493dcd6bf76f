package io.updraft.healthmanager.state;

import io.updraft.common.protocol.dea.InstanceState;

/**
 * One live instance as the heartbeats report it. Mutable, owned by {@link ActualState};
 * event-loop confined.
 */
public final class ObservedInstance {

  private final String id;
  private final String app;
  private final String version;
  private final int index;
  private final long firstSeenMs;
  private String dea;
  private InstanceState state;
  private long stateTimestamp;
  private long lastSeenMs;
  private long stopRequestedMs = -1;

  ObservedInstance(String id, String app, String version, int index, long firstSeenMs) {
    this.id = id;
    this.app = app;
    this.version = version;
    this.index = index;
    this.firstSeenMs = firstSeenMs;
  }

  void seen(String deaId, InstanceState newState, long timestamp, long nowMs) {
    dea = deaId;
    state = newState;
    stateTimestamp = timestamp;
    lastSeenMs = nowMs;
  }

  public String id() {
    return id;
  }

  public String app() {
    return app;
  }

  public String version() {
    return version;
  }

  public int index() {
    return index;
  }

  public String dea() {
    return dea;
  }

  public InstanceState state() {
    return state;
  }

  public boolean running() {
    return state == InstanceState.RUNNING;
  }

  public long stateTimestamp() {
    return stateTimestamp;
  }

  public long firstSeenMs() {
    return firstSeenMs;
  }

  public long lastSeenMs() {
    return lastSeenMs;
  }

  /** When a STOP was last asked for this instance, or -1. */
  public long stopRequestedMs() {
    return stopRequestedMs;
  }

  public void stopRequested(long nowMs) {
    stopRequestedMs = nowMs;
  }
}
