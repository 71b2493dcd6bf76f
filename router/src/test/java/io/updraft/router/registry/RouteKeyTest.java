package io.updraft.router.registry;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RouteKeyTest {

  @Test
  void lowerCasesHostAndDropsPortSchemeAndTrailingSlash() {
    assertThat(RouteKey.parse("App.Example.COM:80/api/")).isEqualTo(
        new RouteKey("app.example.com", "/api"));
    assertThat(RouteKey.parse("http://blog.vcap.me")).isEqualTo(
        new RouteKey("blog.vcap.me", ""));
    assertThat(RouteKey.parse("blog.vcap.me/")).isEqualTo(new RouteKey("blog.vcap.me", ""));
  }

  @Test
  void rejectsUrisWithoutHost() {
    assertThat(RouteKey.parse("")).isNull();
    assertThat(RouteKey.parse("/api")).isNull();
    assertThat(RouteKey.parse(null)).isNull();
  }

  @Test
  void pathPrefixMatchesWholeSegmentsOnly() {
    RouteKey api = new RouteKey("a.example.com", "/api");
    assertThat(api.matchesPath("/api")).isTrue();
    assertThat(api.matchesPath("/api/users")).isTrue();
    assertThat(api.matchesPath("/apix")).isFalse();
    assertThat(api.matchesPath("/")).isFalse();
    assertThat(new RouteKey("a.example.com", "").matchesPath("/anything")).isTrue();
  }

  @Test
  void keepsIpv6LiteralsWhole() {
    assertThat(RouteKey.stripPort("[::1]:8080")).isEqualTo("[::1]");
    assertThat(RouteKey.stripPort("[::1]")).isEqualTo("[::1]");
  }
}
