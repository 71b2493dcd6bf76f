package io.updraft.controller.scaling;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Future;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/** Waiting for Vert.x futures from a test thread. */
final class Futures {

  private Futures() {
  }

  static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  /** The failure of {@code future}, failing the test when it succeeds. */
  static Throwable failure(Future<?> future) {
    AtomicReference<Throwable> cause = new AtomicReference<>();
    assertThatThrownBy(() -> await(future)).isInstanceOf(ExecutionException.class)
        .satisfies(e -> cause.set(e.getCause()));
    return cause.get();
  }
}
