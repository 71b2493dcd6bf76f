package io.updraft.healthmanager.analysis;

import io.updraft.common.bus.Bus;
import io.updraft.common.protocol.health.HmRequest;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the health manager's requests to the controllers (PROTOCOL.md 4.4). STOPs go out at
 * once. STARTs are merged per app version (one message names every index) and limited to
 * {@code max_starts_per_interval} indices per analysis interval, so a mass failure cannot
 * stampede the controllers; urgent ones (lost DEAs, evacuations) go first, the rest wait for
 * the next interval in arrival order. Event-loop confined.
 */
public final class RequestQueue {

  private static final Logger log = LoggerFactory.getLogger(RequestQueue.class);

  private record Batch(String app, String version, long lastUpdated, boolean flapping) {
  }

  private final Bus bus;
  private final String subject;
  private final int maxStartsPerInterval;
  private final Map<Batch, Set<Integer>> urgent = new LinkedHashMap<>();
  private final Map<Batch, Set<Integer>> normal = new LinkedHashMap<>();
  private int budget;
  private long startsSent;
  private long stopsSent;

  public RequestQueue(Bus bus, String subject, int maxStartsPerInterval) {
    this.bus = bus;
    this.subject = subject;
    this.maxStartsPerInterval = maxStartsPerInterval;
    this.budget = maxStartsPerInterval;
  }

  /** Queues a start of one index; {@link #send()} sends what the budget allows. */
  public void start(IndexKey key, long lastUpdated, boolean flapping, boolean isUrgent) {
    Batch batch = new Batch(key.app(), key.version(), lastUpdated, flapping);
    if (isUrgent) {
      Set<Integer> waiting = normal.get(batch);
      if (waiting != null && waiting.remove(key.index()) && waiting.isEmpty()) {
        normal.remove(batch);
      }
    } else if (urgent.getOrDefault(batch, Set.of()).contains(key.index())) {
      return;
    }
    (isUrgent ? urgent : normal).computeIfAbsent(batch, b -> new LinkedHashSet<>())
        .add(key.index());
  }

  public void stop(String app, long lastUpdated, List<String> instances) {
    stopsSent += instances.size();
    bus.publish(subject, HmRequest.stop(app, lastUpdated, instances));
  }

  /** Stops every instance of an app the controller no longer knows. */
  public void stopApp(String app) {
    stopsSent++;
    bus.publish(subject, new HmRequest(app, HmRequest.Op.STOP, 0L, null, null, null, null));
  }

  /** A new interval: the full budget again, then send. */
  public void newInterval() {
    budget = maxStartsPerInterval;
    send();
  }

  /** Sends queued starts within this interval's budget, urgent first. */
  public void send() {
    sendFrom(urgent);
    sendFrom(normal);
  }

  private void sendFrom(Map<Batch, Set<Integer>> queue) {
    for (Iterator<Map.Entry<Batch, Set<Integer>>> it = queue.entrySet().iterator();
        it.hasNext() && budget > 0;) {
      Map.Entry<Batch, Set<Integer>> e = it.next();
      List<Integer> indices = new ArrayList<>();
      for (Iterator<Integer> i = e.getValue().iterator(); i.hasNext() && budget > 0;) {
        indices.add(i.next());
        i.remove();
        budget--;
      }
      if (e.getValue().isEmpty()) {
        it.remove();
      }
      Batch b = e.getKey();
      startsSent += indices.size();
      bus.publish(subject, HmRequest.start(b.app(), b.version(), b.lastUpdated(), indices,
          b.flapping()));
      log.atInfo().setMessage("hm.start.requested").addKeyValue("app", b.app())
          .addKeyValue("version", b.version()).addKeyValue("indices", indices)
          .addKeyValue("flapping", b.flapping()).log();
    }
  }

  /** Drops everything queued (leadership lost: the new leader decides afresh). */
  public void clear() {
    urgent.clear();
    normal.clear();
  }

  /** Indices waiting for budget. */
  public int queued() {
    return urgent.values().stream().mapToInt(Set::size).sum()
        + normal.values().stream().mapToInt(Set::size).sum();
  }

  public long startsSent() {
    return startsSent;
  }

  public long stopsSent() {
    return stopsSent;
  }
}
