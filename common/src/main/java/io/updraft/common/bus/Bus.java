package io.updraft.common.bus;

import io.updraft.common.protocol.WireMessage;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import java.time.Duration;
import java.util.List;

/**
 * A component's view of the NATS bus: typed publish, subscribe and request over the protocol
 * records of {@code io.updraft.common.protocol}.
 *
 * <p>Threading: a handler always runs on the Vert.x context that called {@code subscribe}
 * (an event loop for verticles), never on a NATS client thread, so it may touch the
 * verticle's state without locks. Futures returned by {@code request} and {@code gather}
 * complete on the caller's context.
 *
 * <p>Bad input: a message that does not decode into the subscribed type is logged with its
 * subject, counted ({@code updraft.nats.messages.dropped}) and dropped; the handler is not
 * called. Subscriptions survive NATS reconnects without any action by the component.
 *
 * <p>Body types: any protocol record, {@link io.updraft.common.protocol.Empty} for signal
 * subjects, {@code byte[]} for the raw payload, or {@code JsonNode} for any JSON.
 */
public interface Bus {

  void publish(String subject, WireMessage message);

  /** Publishes a payload as it is (tools and tests that need malformed or foreign bytes). */
  void publishRaw(String subject, byte[] payload);

  default <T> Subscription subscribe(String subject, Class<T> type, Handler<Delivery<T>> handler) {
    return subscribe(subject, null, type, handler);
  }

  /**
   * Subscribes; with a {@code queueGroup} each message goes to one member of the group. Only
   * {@code cc} (health-manager requests) and {@code staging} are queue groups in v1.
   */
  <T> Subscription subscribe(String subject, String queueGroup, Class<T> type,
      Handler<Delivery<T>> handler);

  /**
   * Sends a request and completes with the first reply that decodes, or fails with
   * {@link BusTimeoutException} after {@code timeout}.
   */
  <R> Future<R> request(String subject, WireMessage message, Class<R> replyType, Duration timeout);

  /**
   * Sends a request and collects every reply that decodes within {@code window} (or until
   * {@code maxReplies} arrived). Never fails for lack of replies: an empty list is an answer.
   */
  <R> Future<List<R>> gather(String subject, WireMessage message, Class<R> replyType,
      Duration window, int maxReplies);

  /** Answers a request; does nothing when the message had no reply subject. */
  void reply(Delivery<?> request, WireMessage message);

  boolean isConnected();

  /**
   * Completes once the server has processed everything sent so far: subscriptions made before
   * are live (a component is "started" only after this).
   */
  Future<Void> flush();

  /**
   * Calls {@code handler} with true on (re)connect and false on disconnect, on the caller's
   * context. The router uses it to suspend pruning; the health manager for its grace period.
   */
  void onConnectionChange(Handler<Boolean> handler);
}
