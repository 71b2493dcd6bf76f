package io.updraft.common.bus;

/** A live subscription; {@link #close()} unsubscribes (idempotent). */
public interface Subscription extends AutoCloseable {

  String subject();

  @Override
  void close();
}
