package io.updraft.router.registry;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The backends of one route and the round-robin choice among them. A pool is immutable: the
 * table replaces it when a backend joins or leaves (the rotation counter carries over), so
 * proxy event loops read it without locks.
 */
public final class RoutePool {

  private final RouteKey key;
  private final List<Backend> backends;
  private final AtomicInteger rotation;

  RoutePool(RouteKey key, List<Backend> backends, AtomicInteger rotation) {
    this.key = key;
    this.backends = List.copyOf(backends);
    this.rotation = rotation;
  }

  public RouteKey key() {
    return key;
  }

  public List<Backend> backends() {
    return backends;
  }

  public boolean isEmpty() {
    return backends.isEmpty();
  }

  /**
   * The next backend in rotation, passing over backends that recently failed to connect
   * (unless all have: then the plain next one); null when the pool is empty.
   */
  public Backend next(long nowMillis) {
    int size = backends.size();
    if (size == 0) {
      return null;
    }
    Backend first = null;
    for (int i = 0; i < size; i++) {
      Backend candidate = backends.get(Math.floorMod(rotation.getAndIncrement(), size));
      if (!candidate.isSuspect(nowMillis)) {
        return candidate;
      }
      first = first == null ? candidate : first;
    }
    return first;
  }

  /**
   * Another backend than {@code failed} for a retry, healthy ones first, or null when there is
   * no other. Uses the rotation too, so retries spread like first attempts.
   */
  public Backend nextExcept(Backend failed, long nowMillis) {
    Backend fallback = null;
    for (int i = 0; i < backends.size(); i++) {
      Backend candidate = backends.get(Math.floorMod(rotation.getAndIncrement(),
          backends.size()));
      if (candidate == failed || candidate.address().equals(failed.address())) {
        continue;
      }
      if (!candidate.isSuspect(nowMillis)) {
        return candidate;
      }
      fallback = fallback == null ? candidate : fallback;
    }
    return fallback;
  }

  /** The backend whose private instance id is {@code token} (a sticky session), or null. */
  public Backend byPrivateId(String token) {
    if (token == null || token.isEmpty()) {
      return null;
    }
    for (Backend b : backends) {
      if (token.equals(b.privateInstanceId())) {
        return b;
      }
    }
    return null;
  }

  Backend at(String host, int port) {
    for (Backend b : backends) {
      if (b.at(host, port)) {
        return b;
      }
    }
    return null;
  }

  RoutePool with(Backend added, Backend replaced) {
    List<Backend> list = new ArrayList<>(backends);
    if (replaced != null) {
      list.set(list.indexOf(replaced), added);
    } else {
      list.add(added);
    }
    return new RoutePool(key, list, rotation);
  }

  RoutePool without(List<Backend> removed) {
    List<Backend> list = new ArrayList<>(backends);
    list.removeAll(removed);
    return new RoutePool(key, list, rotation);
  }
}
