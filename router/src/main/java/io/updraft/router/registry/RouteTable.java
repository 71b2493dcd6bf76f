package io.updraft.router.registry;

import io.updraft.common.protocol.router.RouteRegistration;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The route table, built only from {@code router.register}/{@code router.unregister}
 * (PROTOCOL.md 6.1): host name → path-prefix routes → backends.
 *
 * <p>Threading: one writer (the bus event loop; writes are also synchronized, so any thread
 * is safe), many lock-free readers (the proxy event loops). Each host maps to an immutable
 * array of pools, replaced whole on a change; a plain re-register only refreshes a backend's
 * timestamp. Time comes from the injected clock, so pruning is testable.
 */
public final class RouteTable {

  /** What a register or unregister changed, for logs. */
  public enum Change { ADDED, UPDATED, REFRESHED, REMOVED, NONE }

  /** A backend removed for staleness. */
  public record Pruned(RouteKey route, Backend backend) {
  }

  private static final RoutePool[] NO_POOLS = new RoutePool[0];
  // longest path prefix first, so /api/v2 wins over /api and both over the whole host
  private static final Comparator<RoutePool> MOST_SPECIFIC =
      Comparator.comparingInt((RoutePool p) -> p.key().path().length()).reversed();

  private final Clock clock;
  private final Map<String, RoutePool[]> hosts = new ConcurrentHashMap<>();

  public RouteTable(Clock clock) {
    this.clock = clock;
  }

  /**
   * The route for a request: the exact host (lower case, no port) with the longest matching
   * path prefix, else the most specific registered wildcard domain; null when none matches.
   */
  public RoutePool lookup(String host, String path) {
    String p = path == null || path.isEmpty() ? "/" : path;
    RoutePool pool = match(hosts.get(host), p);
    if (pool != null) {
      return pool;
    }
    // a.b.example.com tries *.b.example.com, then *.example.com, then *.com
    for (int dot = host.indexOf('.'); dot >= 0 && dot < host.length() - 1;
        dot = host.indexOf('.', dot + 1)) {
      pool = match(hosts.get("*" + host.substring(dot)), p);
      if (pool != null) {
        return pool;
      }
    }
    return null;
  }

  private static RoutePool match(RoutePool[] pools, String path) {
    if (pools == null) {
      return null;
    }
    for (RoutePool pool : pools) {
      if (pool.key().matchesPath(path) && !pool.isEmpty()) {
        return pool;
      }
    }
    return null;
  }

  /** Adds or refreshes the backend under each of the registration's uris. */
  public synchronized Change register(RouteRegistration reg) {
    Change result = Change.NONE;
    long now = clock.millis();
    for (String uri : reg.uris()) {
      RouteKey key = RouteKey.parse(uri);
      if (key == null) {
        continue;
      }
      RoutePool pool = pool(key);
      Backend existing = pool == null ? null : pool.at(reg.host(), reg.port());
      Change change;
      if (existing != null && existing.sameAs(reg.host(), reg.port(), reg.privateInstanceId(),
          reg.app(), reg.tags())) {
        existing.touch(now);
        change = Change.REFRESHED;
      } else {
        Backend backend = new Backend(reg.host(), reg.port(), reg.privateInstanceId(), reg.app(),
            reg.tags(), now);
        RoutePool base = pool != null ? pool : new RoutePool(key, List.of(),
            new AtomicInteger());
        replace(key, base.with(backend, existing));
        change = existing == null ? Change.ADDED : Change.UPDATED;
      }
      result = stronger(result, change);
    }
    return result;
  }

  /** Removes the backend from each of the registration's uris; an emptied route goes too. */
  public synchronized Change unregister(RouteRegistration reg) {
    Change result = Change.NONE;
    for (String uri : reg.uris()) {
      RouteKey key = RouteKey.parse(uri);
      RoutePool pool = key == null ? null : pool(key);
      Backend existing = pool == null ? null : pool.at(reg.host(), reg.port());
      if (existing != null) {
        replace(key, pool.without(List.of(existing)));
        result = Change.REMOVED;
      }
    }
    return result;
  }

  /** Drops every backend not registered within {@code staleAfter}; returns what it dropped. */
  public synchronized List<Pruned> prune(Duration staleAfter) {
    long oldest = clock.millis() - staleAfter.toMillis();
    List<Pruned> pruned = new ArrayList<>();
    for (RoutePool[] pools : List.copyOf(hosts.values())) {
      for (RoutePool pool : pools) {
        List<Backend> stale = pool.backends().stream()
            .filter(b -> b.lastSeenMillis() < oldest).toList();
        if (!stale.isEmpty()) {
          stale.forEach(b -> pruned.add(new Pruned(pool.key(), b)));
          replace(pool.key(), pool.without(stale));
        }
      }
    }
    return pruned;
  }

  /**
   * Marks every backend as registered now. Called when the bus comes back: registrants could
   * not renew while it was down, so each gets a full staleness window to answer
   * {@code router.start} before it can be pruned.
   */
  public synchronized void touchAll() {
    long now = clock.millis();
    hosts.values().forEach(pools -> Arrays.stream(pools)
        .forEach(pool -> pool.backends().forEach(b -> b.touch(now))));
  }

  /** Number of routes (host + path prefix) with at least one backend. */
  public int routeCount() {
    return hosts.values().stream().mapToInt(pools -> pools.length).sum();
  }

  /** Number of (route, backend) pairs. */
  public int backendCount() {
    return hosts.values().stream().flatMap(Arrays::stream)
        .mapToInt(pool -> pool.backends().size()).sum();
  }

  private RoutePool pool(RouteKey key) {
    RoutePool[] pools = hosts.get(key.host());
    if (pools != null) {
      for (RoutePool pool : pools) {
        if (pool.key().equals(key)) {
          return pool;
        }
      }
    }
    return null;
  }

  /** Puts {@code updated} in place of the pool with its key; an empty pool is removed. */
  private void replace(RouteKey key, RoutePool updated) {
    hosts.compute(key.host(), (host, pools) -> {
      List<RoutePool> list = new ArrayList<>(Arrays.asList(pools == null ? NO_POOLS : pools));
      list.removeIf(p -> p.key().equals(key));
      if (!updated.isEmpty()) {
        list.add(updated);
      }
      list.sort(MOST_SPECIFIC);
      return list.isEmpty() ? null : list.toArray(NO_POOLS);
    });
  }

  private static Change stronger(Change a, Change b) {
    return a.ordinal() <= b.ordinal() ? a : b;
  }
}
