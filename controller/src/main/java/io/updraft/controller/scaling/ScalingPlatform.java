package io.updraft.controller.scaling;

import io.vertx.core.Future;
import java.util.List;

/**
 * Creates and deletes DEA nodes from the DEA template (Stackato's scaling platforms). A launched
 * node joins the cluster by itself: it is given the core's address at boot and advertises like
 * any DEA. Errors (bad credentials, quota, timeouts) fail the future with a readable reason;
 * they never throw.
 */
public interface ScalingPlatform {

  /** The platform's name in config and events: {@code local}, {@code docker}, ... */
  String name();

  /** Launches {@code count} DEA nodes; completes with their node ids. */
  Future<List<String>> launch(int count);

  /** Deletes a node this platform launched. */
  Future<Void> terminate(String nodeId);

  /** Releases what the platform holds when the controller stops. */
  default Future<Void> close() {
    return Future.succeededFuture();
  }

  /** No platform configured: every launch fails with that reason. */
  static ScalingPlatform none(String why) {
    return new ScalingPlatform() {
      @Override
      public String name() {
        return "none";
      }

      @Override
      public Future<List<String>> launch(int count) {
        return Future.failedFuture(why);
      }

      @Override
      public Future<Void> terminate(String nodeId) {
        return Future.failedFuture(why);
      }
    };
  }
}
