package io.updraft.common.bus.fakes;

import io.updraft.common.bus.Bus;
import io.updraft.common.bus.BusTimeoutException;
import io.updraft.common.bus.Delivery;
import io.updraft.common.bus.Payloads;
import io.updraft.common.bus.Subscription;
import io.updraft.common.protocol.Subjects;
import io.updraft.common.protocol.WireMessage;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A synchronous, in-memory {@link Bus} for unit tests: a publish is encoded to JSON and
 * delivered at once, on the calling thread, to every matching subscriber (for a queue group,
 * to its first member only); requests are answered by subscribers that {@link Bus#reply}.
 * Everything published is recorded for assertions.
 *
 * <p>Payloads go through the real JSON mapper and decoding, so a test also checks the wire
 * shapes; a payload that does not decode is dropped and counted in {@link #dropped()}, as
 * the real bus does.
 */
public final class FakeBus implements Bus {

  /** A message as it went over the fake wire. */
  public record Published(String subject, String replyTo, byte[] payload) {

    public <T> T as(Class<T> type) {
      return decode(payload, type);
    }
  }

  private record Sub<T>(String pattern, String queueGroup, Class<T> type,
      Handler<Delivery<T>> handler) {
  }

  private final List<Published> published = new CopyOnWriteArrayList<>();
  private final List<Sub<?>> subscriptions = new CopyOnWriteArrayList<>();
  private final List<Handler<Boolean>> watchers = new CopyOnWriteArrayList<>();
  private int inboxes;
  private int dropped;
  private boolean connected = true;

  @Override
  public void publish(String subject, WireMessage message) {
    publishRaw(subject, message.toJson());
  }

  @Override
  public void publishRaw(String subject, byte[] payload) {
    send(subject, null, payload);
  }

  private void send(String subject, String replyTo, byte[] payload) {
    published.add(new Published(subject, replyTo, payload));
    Set<String> groupsServed = new HashSet<>();
    for (Sub<?> sub : subscriptions) {
      if (Subjects.matches(sub.pattern(), subject)
          && (sub.queueGroup() == null || groupsServed.add(sub.queueGroup()))) {
        deliver(sub, subject, replyTo, payload);
      }
    }
  }

  private <T> void deliver(Sub<T> sub, String subject, String replyTo, byte[] payload) {
    T body;
    try {
      body = decode(payload, sub.type());
    } catch (RuntimeException e) {
      dropped++;
      return;
    }
    sub.handler().handle(new Delivery<>(subject, replyTo, body));
  }

  @Override
  public <T> Subscription subscribe(String subject, String queueGroup, Class<T> type,
      Handler<Delivery<T>> handler) {
    Sub<T> sub = new Sub<>(subject, queueGroup, type, handler);
    subscriptions.add(sub);
    return new Subscription() {
      @Override
      public String subject() {
        return subject;
      }

      @Override
      public void close() {
        subscriptions.remove(sub);
      }
    };
  }

  @Override
  public <R> Future<R> request(String subject, WireMessage message, Class<R> replyType,
      Duration timeout) {
    List<R> replies = collect(subject, message, replyType, 1);
    return replies.isEmpty() ? Future.failedFuture(new BusTimeoutException(subject, timeout))
        : Future.succeededFuture(replies.get(0));
  }

  @Override
  public <R> Future<List<R>> gather(String subject, WireMessage message, Class<R> replyType,
      Duration window, int maxReplies) {
    return Future.succeededFuture(collect(subject, message, replyType, maxReplies));
  }

  private <R> List<R> collect(String subject, WireMessage message, Class<R> replyType, int max) {
    String inbox = "_INBOX.fake." + (++inboxes);
    List<R> replies = new ArrayList<>();
    Subscription sub = subscribe(inbox, replyType, d -> {
      if (replies.size() < max) {
        replies.add(d.body());
      }
    });
    send(subject, inbox, message.toJson());
    sub.close();
    return replies;
  }

  @Override
  public void reply(Delivery<?> request, WireMessage message) {
    if (request.isRequest()) {
      publish(request.replyTo(), message);
    }
  }

  @Override
  public boolean isConnected() {
    return connected;
  }

  @Override
  public Future<Void> flush() {
    return Future.succeededFuture();
  }

  @Override
  public void onConnectionChange(Handler<Boolean> handler) {
    watchers.add(handler);
  }

  /** Simulates losing or regaining the NATS connection. */
  public void setConnected(boolean connected) {
    this.connected = connected;
    watchers.forEach(w -> w.handle(connected));
  }

  /** Everything published so far, replies included, in order. */
  public List<Published> published() {
    return List.copyOf(published);
  }

  /** The messages published on {@code subject}, decoded. */
  public <T> List<T> published(String subject, Class<T> type) {
    return published.stream().filter(p -> p.subject().equals(subject))
        .map(p -> p.as(type)).toList();
  }

  public int dropped() {
    return dropped;
  }

  public void clear() {
    published.clear();
  }

  private static <T> T decode(byte[] payload, Class<T> type) {
    return Payloads.decode(payload, type);
  }
}
