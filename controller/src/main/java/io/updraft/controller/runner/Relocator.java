package io.updraft.controller.runner;

import io.vertx.core.Future;

/**
 * What a scale-down's drain needs from placement: keeping a DEA out of it, forgetting a removed
 * one, and starting an instance again on another DEA. {@link AppRunner} is the real one.
 */
public interface Relocator {

  /** What became of an instance asked to move off a draining DEA. */
  enum Relocation {
    /** A new instance at the same index was sent to another DEA. */
    PLACED,
    /** No other DEA has room for it. */
    NO_ROOM,
    /** The app no longer wants it (stopped, deleted, another version, index beyond): stop it. */
    NOT_WANTED
  }

  /** Marks a DEA as draining in this controller's pool at once (the notice follows). */
  void draining(String deaId, boolean on);

  /** Forgets a DEA that was removed. */
  void forget(String deaId);

  /**
   * Starts the instance at {@code index} of the app's {@code version} again on another DEA
   * (draining DEAs get nothing).
   */
  Future<Relocation> relocate(String droplet, String version, int index);
}
