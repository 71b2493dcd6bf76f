package io.updraft.dea.instance;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * The life cycle of an instance on this DEA (PROTOCOL.md 3.11 and 10.2), with its table of
 * allowed transitions and the state each one shows on the wire.
 *
 * <pre>
 * STARTING -> RUNNING | CRASHED | STOPPING
 * RUNNING  -> CRASHED | STOPPING
 * STOPPING -> STOPPED
 * CRASHED  -> DELETED
 * </pre>
 *
 * <p>{@code STOPPING} is ours (v1 had no name for "being killed"): the exit is already
 * announced, so it is reported as {@code STOPPED} and left out of heartbeats.
 */
public enum InstanceState {
  STARTING(io.updraft.common.protocol.dea.InstanceState.STARTING),
  RUNNING(io.updraft.common.protocol.dea.InstanceState.RUNNING),
  STOPPING(io.updraft.common.protocol.dea.InstanceState.STOPPED),
  STOPPED(io.updraft.common.protocol.dea.InstanceState.STOPPED),
  CRASHED(io.updraft.common.protocol.dea.InstanceState.CRASHED),
  DELETED(io.updraft.common.protocol.dea.InstanceState.DELETED);

  private static final Map<InstanceState, Set<InstanceState>> ALLOWED = Map.of(
      STARTING, EnumSet.of(RUNNING, CRASHED, STOPPING),
      RUNNING, EnumSet.of(CRASHED, STOPPING),
      STOPPING, EnumSet.of(STOPPED),
      STOPPED, EnumSet.noneOf(InstanceState.class),
      CRASHED, EnumSet.of(DELETED),
      DELETED, EnumSet.noneOf(InstanceState.class));

  private final io.updraft.common.protocol.dea.InstanceState wire;

  InstanceState(io.updraft.common.protocol.dea.InstanceState wire) {
    this.wire = wire;
  }

  public io.updraft.common.protocol.dea.InstanceState wire() {
    return wire;
  }

  public boolean canBecome(InstanceState next) {
    return ALLOWED.get(this).contains(next);
  }

  /** STARTING or RUNNING: a process that should be alive. */
  public boolean isLive() {
    return this == STARTING || this == RUNNING;
  }

  /** Holds a memory reservation and a slot (crashed-and-retained ones give theirs back). */
  public boolean holdsResources() {
    return this == STARTING || this == RUNNING || this == STOPPING;
  }

  /** Appears in heartbeats (PROTOCOL.md 3.10). */
  public boolean isReported() {
    return this == STARTING || this == RUNNING || this == CRASHED;
  }
}
