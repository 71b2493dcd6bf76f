package io.updraft.common.cluster;

import io.vertx.core.Future;
import io.vertx.core.Handler;

/**
 * Whether this process is the one active instance of its component (the health manager runs
 * hot standbys). Event-loop confined: handlers run on the starter's context.
 */
public interface Leadership {

  Future<Void> start();

  /** Gives leadership up (at once, so a standby takes over without waiting for expiry). */
  Future<Void> stop();

  /** True only while this process may act; re-checked before every action. */
  boolean isLeader();

  /** Called with true on gaining and false on losing leadership. */
  void onChange(Handler<Boolean> handler);

  /** The leadership of a component that runs alone: always the leader. */
  static Leadership sole() {
    return new Leadership() {
      private Handler<Boolean> handler = b -> { };

      @Override
      public Future<Void> start() {
        handler.handle(true);
        return Future.succeededFuture();
      }

      @Override
      public Future<Void> stop() {
        return Future.succeededFuture();
      }

      @Override
      public boolean isLeader() {
        return true;
      }

      @Override
      public void onChange(Handler<Boolean> h) {
        handler = h;
      }
    };
  }
}
