package io.updraft.common.protocol.droplet;

/**
 * Why an instance stopped, as reported in {@code droplet.exited} (PROTOCOL.md 10.3). The
 * health manager's reaction depends on it.
 */
public enum ExitReason {
  /** Stopped on request ({@code dea.stop}); no action. */
  STOPPED,
  /** Exited on its own, failed to start or exceeded a limit; restarted, counts towards flapping. */
  CRASHED,
  /** The DEA is shutting down; restart elsewhere. */
  DEA_SHUTDOWN,
  /** The DEA is evacuating; restart elsewhere at once, the old instance still runs for a while. */
  DEA_EVACUATION
}
