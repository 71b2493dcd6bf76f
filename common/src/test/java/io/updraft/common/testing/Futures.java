package io.updraft.common.testing;

import io.vertx.core.Future;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Waits for a Vert.x future from a test thread, with a bound. */
public final class Futures {

  private Futures() {
  }

  /** The future's value; throws its failure (wrapped in ExecutionException) or times out. */
  public static <T> T result(Future<T> future)
      throws InterruptedException, ExecutionException, TimeoutException {
    return future.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }
}
