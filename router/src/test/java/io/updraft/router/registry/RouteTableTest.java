package io.updraft.router.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.updraft.common.fixtures.AppFixture;
import io.updraft.common.protocol.router.RouteRegistration;
import io.updraft.router.registry.RouteTable.Change;
import io.updraft.common.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RouteTableTest {

  private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final RouteTable table = new RouteTable(clock);

  static RouteRegistration reg(String host, int port, String... uris) {
    return RouteTableTestSupport.registration(host, port, uris);
  }

  static RouteRegistration sticky(String host, int port, String privateId, String uri) {
    return new RouteRegistration(host, port, List.of(uri), Map.of(), "dea-1", "42", privateId);
  }

  @Test
  void registersLooksUpCaseInsensitivelyAndUnregisters() {
    assertThat(table.register(reg("10.0.0.1", 61001, "Blog.vcap.me"))).isEqualTo(Change.ADDED);
    RoutePool pool = table.lookup("blog.vcap.me", "/");
    assertThat(pool.backends()).extracting(Backend::address).containsExactly("10.0.0.1:61001");

    assertThat(table.unregister(reg("10.0.0.1", 61001, "blog.vcap.me")))
        .isEqualTo(Change.REMOVED);
    assertThat(table.lookup("blog.vcap.me", "/")).isNull();
    assertThat(table.routeCount()).isZero();
  }

  @Test
  void reRegisteringOnlyRefreshesAndUnknownUnregisterChangesNothing() {
    table.register(reg("10.0.0.1", 61001, "blog.vcap.me"));
    RoutePool before = table.lookup("blog.vcap.me", "/");
    clock.advance(Duration.ofSeconds(10));
    assertThat(table.register(reg("10.0.0.1", 61001, "blog.vcap.me")))
        .isEqualTo(Change.REFRESHED);
    assertThat(table.lookup("blog.vcap.me", "/")).isSameAs(before);
    assertThat(before.backends().get(0).lastSeenMillis()).isEqualTo(clock.millis());
    assertThat(table.unregister(reg("10.0.0.9", 1, "blog.vcap.me"))).isEqualTo(Change.NONE);
    assertThat(table.backendCount()).isEqualTo(1);
  }

  @Test
  void newPrivateInstanceIdReplacesTheBackend() {
    table.register(sticky("10.0.0.1", 61001, "a".repeat(64), "blog.vcap.me"));
    assertThat(table.register(sticky("10.0.0.1", 61001, "b".repeat(64), "blog.vcap.me")))
        .isEqualTo(Change.UPDATED);
    RoutePool pool = table.lookup("blog.vcap.me", "/");
    assertThat(pool.backends()).hasSize(1);
    assertThat(pool.byPrivateId("b".repeat(64))).isNotNull();
    assertThat(pool.byPrivateId("a".repeat(64))).isNull();
  }

  @Test
  void longestPathPrefixWinsAndFallsBackToTheHost() {
    table.register(reg("10.0.0.1", 1, "shop.example.com"));
    table.register(reg("10.0.0.2", 2, "shop.example.com/api"));
    table.register(reg("10.0.0.3", 3, "shop.example.com/api/v2"));
    assertThat(table.lookup("shop.example.com", "/api/v2/items").key().path())
        .isEqualTo("/api/v2");
    assertThat(table.lookup("shop.example.com", "/api/v1").key().path()).isEqualTo("/api");
    assertThat(table.lookup("shop.example.com", "/apiary").key().path()).isEmpty();
    assertThat(table.lookup("shop.example.com", "").key().path()).isEmpty();
  }

  @Test
  void wildcardDomainsMatchAnySubdomainMostSpecificFirst() {
    table.register(reg("10.0.0.1", 1, "*.example.com"));
    table.register(reg("10.0.0.2", 2, "*.eu.example.com"));
    table.register(reg("10.0.0.3", 3, "exact.eu.example.com"));
    assertThat(table.lookup("a.example.com", "/").key().host()).isEqualTo("*.example.com");
    assertThat(table.lookup("x.y.eu.example.com", "/").key().host())
        .isEqualTo("*.eu.example.com");
    assertThat(table.lookup("exact.eu.example.com", "/").key().host())
        .isEqualTo("exact.eu.example.com");
    assertThat(table.lookup("example.com", "/")).isNull();
    assertThat(table.lookup("other.org", "/")).isNull();
  }

  @Test
  void pathRouteOnExactHostDoesNotHideTheWildcardForOtherPaths() {
    table.register(reg("10.0.0.1", 1, "*.example.com"));
    table.register(reg("10.0.0.2", 2, "a.example.com/api"));
    assertThat(table.lookup("a.example.com", "/api/x").key().host()).isEqualTo("a.example.com");
    assertThat(table.lookup("a.example.com", "/").key().host()).isEqualTo("*.example.com");
  }

  @Test
  void prunesOnlyBackendsNotRenewedWithinTheThreshold() {
    table.register(reg("10.0.0.1", 1, "a.vcap.me"));
    table.register(reg("10.0.0.2", 2, "a.vcap.me"));
    table.register(reg("10.0.0.3", 3, "b.vcap.me"));
    clock.advance(Duration.ofSeconds(100));
    table.register(reg("10.0.0.2", 2, "a.vcap.me"));
    clock.advance(Duration.ofSeconds(30));

    List<RouteTable.Pruned> pruned = table.prune(Duration.ofSeconds(120));

    assertThat(pruned).extracting(p -> p.backend().address())
        .containsExactlyInAnyOrder("10.0.0.1:1", "10.0.0.3:3");
    assertThat(table.lookup("a.vcap.me", "/").backends()).extracting(Backend::address)
        .containsExactly("10.0.0.2:2");
    assertThat(table.lookup("b.vcap.me", "/")).isNull();
    assertThat(table.prune(Duration.ofSeconds(120))).isEmpty();
  }

  @Test
  void touchAllGivesEveryBackendAFreshWindow() {
    table.register(reg("10.0.0.1", 1, "a.vcap.me"));
    clock.advance(Duration.ofSeconds(300));
    table.touchAll();
    clock.advance(Duration.ofSeconds(60));
    assertThat(table.prune(Duration.ofSeconds(120))).isEmpty();
    clock.advance(Duration.ofSeconds(61));
    assertThat(table.prune(Duration.ofSeconds(120))).hasSize(1);
  }

  @Test
  void fixtureRegistrationsOfTwoInstancesShareOneRouteAndAreStickyByPrivateId() {
    AppFixture app = AppFixture.create();
    table.register(app.routeRegistration(0, "0-dea", "10.0.0.7"));
    table.register(app.routeRegistration(1, "0-dea", "10.0.0.7"));
    RoutePool pool = table.lookup(app.uri(), "/");
    assertThat(pool.backends()).hasSize(2);
    assertThat(pool.byPrivateId(app.privateInstanceId(1)).port()).isEqualTo(61001);
    assertThat(pool.byPrivateId("stale")).isNull();
    assertThat(pool.backends().get(0).app()).isEqualTo(app.id());
  }

  @Test
  void readersSeeAConsistentPoolWhileBackendsChange() {
    table.register(reg("10.0.0.1", 1, "a.vcap.me"));
    RoutePool old = table.lookup("a.vcap.me", "/");
    table.register(reg("10.0.0.2", 2, "a.vcap.me"));
    // the pool a request already holds does not change under it
    assertThat(old.backends()).hasSize(1);
    List<String> seen = new ArrayList<>();
    RoutePool now = table.lookup("a.vcap.me", "/");
    for (int i = 0; i < 4; i++) {
      seen.add(now.next(0).address());
    }
    assertThat(seen).containsOnly("10.0.0.1:1", "10.0.0.2:2");
  }
}
