package io.updraft.router.registry;

import java.util.Map;
import java.util.Objects;

/**
 * One backend of one route: an app instance (or a component such as the controller) at
 * {@code host:port}, identified within its route by that address (PROTOCOL.md 6.1).
 *
 * <p>Immutable except for the time of its last registration, which refreshes on every
 * {@code router.register} without rebuilding the table, and a connect-failure mark set by the
 * proxy; both are read and written from several event loops, hence volatile.
 */
public final class Backend {

  private final String host;
  private final int port;
  private final String address;
  private final String privateInstanceId;
  private final String app;
  private final Map<String, String> tags;
  private volatile long lastSeenMillis;
  private volatile long suspectUntilMillis;

  public Backend(String host, int port, String privateInstanceId, String app,
      Map<String, String> tags, long lastSeenMillis) {
    this.host = host;
    this.port = port;
    this.address = host + ":" + port;
    this.privateInstanceId = privateInstanceId;
    this.app = app;
    this.tags = tags == null ? Map.of() : Map.copyOf(tags);
    this.lastSeenMillis = lastSeenMillis;
  }

  public String host() {
    return host;
  }

  public int port() {
    return port;
  }

  /** {@code host:port}, for logs and the access log. */
  public String address() {
    return address;
  }

  /** The sticky-session token ({@code __VCAP_ID__} value), or null. */
  public String privateInstanceId() {
    return privateInstanceId;
  }

  public String app() {
    return app;
  }

  public Map<String, String> tags() {
    return tags;
  }

  public long lastSeenMillis() {
    return lastSeenMillis;
  }

  /**
   * Connecting to it just failed: round robin passes it over until {@code untilMillis}, so
   * one dead instance costs one failed connect per cooldown, not one in every n requests.
   */
  public void markFailed(long untilMillis) {
    suspectUntilMillis = untilMillis;
  }

  /** Whether a recent connect failure makes it a poor choice at {@code nowMillis}. */
  public boolean isSuspect(long nowMillis) {
    return nowMillis < suspectUntilMillis;
  }

  void touch(long nowMillis) {
    lastSeenMillis = nowMillis;
  }

  /** Same address and same registration details (then a register only refreshes it). */
  boolean sameAs(String otherHost, int otherPort, String otherPrivateId, String otherApp,
      Map<String, String> otherTags) {
    return host.equals(otherHost) && port == otherPort
        && Objects.equals(privateInstanceId, otherPrivateId) && Objects.equals(app, otherApp)
        && tags.equals(otherTags == null ? Map.of() : otherTags);
  }

  boolean at(String otherHost, int otherPort) {
    return port == otherPort && host.equals(otherHost);
  }

  @Override
  public String toString() {
    return address;
  }
}
