package io.updraft.dea.responders;

import io.updraft.common.bus.Subscription;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;

/** The subscriptions and timers a responder owns, closed together. */
final class Subscriptions {

  private final List<Subscription> subscriptions = new ArrayList<>();
  private final List<Long> timers = new ArrayList<>();

  void add(Subscription subscription) {
    subscriptions.add(subscription);
  }

  void timer(long id) {
    timers.add(id);
  }

  void close(Vertx vertx) {
    subscriptions.forEach(Subscription::close);
    subscriptions.clear();
    timers.forEach(vertx::cancelTimer);
    timers.clear();
  }
}
