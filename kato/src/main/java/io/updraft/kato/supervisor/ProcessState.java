package io.updraft.kato.supervisor;

/**
 * A supervised process's state (supervisord's, which operators know):
 * <pre>
 * STOPPED --start--> STARTING --up for running_after--> RUNNING
 * STARTING/RUNNING --exits--> BACKOFF --delay--> STARTING
 * STARTING --cannot be launched--> FATAL          any --stop--> STOPPED
 * </pre>
 */
public enum ProcessState {
  STOPPED, STARTING, RUNNING, BACKOFF, FATAL
}
