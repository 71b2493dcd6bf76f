package io.updraft.common.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.IMap;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import java.io.Serializable;
import java.time.Duration;
import java.util.Map;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leadership through a lease in the Hazelcast map {@value #MAP}: every candidate tries, every
 * third of the lease, to claim or renew the entry named after the role; the claim is one atomic
 * entry processor on the partition owner, so two candidates never both hold it, and it expires
 * by the owner's clock if its holder dies or is cut off. The holder counts itself leader only
 * until its own deadline (the time it sent its last successful renewal plus two thirds of the
 * lease), which always ends before the lease can expire and pass to another candidate: there
 * is no moment with two leaders, and a standby takes over within one lease after a crash.
 */
public final class LeaderLease implements Leadership {

  public static final String MAP = "updraft.leases";

  private static final Logger log = LoggerFactory.getLogger(LeaderLease.class);

  /** The stored lease. */
  public record Lease(String holder, long expiresAtMillis) implements Serializable {
  }

  /** Claims or renews the lease for {@code candidate}; returns whoever holds it afterwards. */
  public static final class Claim implements EntryProcessor<String, Lease, Lease> {
    private static final long serialVersionUID = 1L;
    private final String candidate;
    private final long leaseMillis;

    public Claim(String candidate, long leaseMillis) {
      this.candidate = candidate;
      this.leaseMillis = leaseMillis;
    }

    @Override
    public Lease process(Map.Entry<String, Lease> entry) {
      long now = System.currentTimeMillis();
      Lease current = entry.getValue();
      if (current == null || current.expiresAtMillis() < now
          || current.holder().equals(candidate)) {
        current = new Lease(candidate, now + leaseMillis);
        entry.setValue(current);
      }
      return current;
    }
  }

  /** Gives the lease up if {@code holder} has it. */
  public static final class Release implements EntryProcessor<String, Lease, Boolean> {
    private static final long serialVersionUID = 1L;
    private final String holder;

    public Release(String holder) {
      this.holder = holder;
    }

    @Override
    public Boolean process(Map.Entry<String, Lease> entry) {
      Lease current = entry.getValue();
      if (current != null && current.holder().equals(holder)) {
        entry.setValue(null);
        return true;
      }
      return false;
    }
  }

  private final Vertx vertx;
  private final HazelcastInstance hazelcast;
  private final String role;
  private final String candidate;
  private final long leaseMillis;
  private final LongSupplier nanoTime;
  private Handler<Boolean> handler = b -> { };
  private long timer = -1;
  private boolean claiming;
  private volatile boolean leader;
  private volatile long deadlineNanos;
  private String lastHolder;

  public LeaderLease(Vertx vertx, HazelcastInstance hazelcast, String role, String candidate,
      Duration lease) {
    this(vertx, hazelcast, role, candidate, lease, System::nanoTime);
  }

  LeaderLease(Vertx vertx, HazelcastInstance hazelcast, String role, String candidate,
      Duration lease, LongSupplier nanoTime) {
    if (lease.toMillis() < 300) {
      throw new IllegalArgumentException("lease must be at least 300 ms");
    }
    this.vertx = vertx;
    this.hazelcast = hazelcast;
    this.role = role;
    this.candidate = candidate;
    this.leaseMillis = lease.toMillis();
    this.nanoTime = nanoTime;
  }

  @Override
  public Future<Void> start() {
    timer = vertx.setPeriodic(1, leaseMillis / 3, id -> claim());
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
    boolean was = leader;
    setLeader(false);
    if (!was) {
      return Future.succeededFuture();
    }
    return vertx.executeBlocking(() -> leases().executeOnKey(role, new Release(candidate)))
        .onFailure(e -> log.atWarn().setMessage("leader.release.failed")
            .addKeyValue("role", role).addKeyValue("error", e.toString()).log())
        .<Void>mapEmpty().recover(e -> Future.succeededFuture());
  }

  /** Side-effect free, so any thread may ask; the change itself is told by the timer. */
  @Override
  public boolean isLeader() {
    return leader && nanoTime.getAsLong() - deadlineNanos < 0;
  }

  @Override
  public void onChange(Handler<Boolean> h) {
    handler = h;
  }

  private IMap<String, Lease> leases() {
    return hazelcast.getMap(MAP);
  }

  private void claim() {
    stepDownIfStalled();
    if (claiming || timer < 0) {
      return;
    }
    claiming = true;
    long sent = nanoTime.getAsLong();
    vertx.executeBlocking(() -> leases().executeOnKey(role, new Claim(candidate, leaseMillis)),
        false).onComplete(result -> {
          claiming = false;
          if (timer < 0) {
            return;
          }
          if (result.failed()) {
            log.atWarn().setMessage("leader.claim.failed").addKeyValue("role", role)
                .addKeyValue("error", result.cause().toString()).log();
            stepDownIfStalled();
            return;
          }
          Lease lease = result.result();
          if (!lease.holder().equals(lastHolder)) {
            lastHolder = lease.holder();
            log.atInfo().setMessage("leader.holder").addKeyValue("role", role)
                .addKeyValue("holder", lease.holder()).addKeyValue("self", candidate).log();
          }
          if (candidate.equals(lease.holder())) {
            deadlineNanos = sent + leaseMillis * 2 / 3 * 1_000_000L;
            setLeader(nanoTime.getAsLong() - deadlineNanos < 0);
          } else {
            setLeader(false);
          }
        });
  }

  /** Renewals stalled (cluster unreachable): step down before the lease can pass on. */
  private void stepDownIfStalled() {
    if (leader && !isLeader()) {
      setLeader(false);
    }
  }

  private void setLeader(boolean now) {
    if (now != leader) {
      leader = now;
      log.atInfo().setMessage(now ? "leader.gained" : "leader.lost").addKeyValue("role", role)
          .addKeyValue("candidate", candidate).log();
      handler.handle(now);
    }
  }
}
