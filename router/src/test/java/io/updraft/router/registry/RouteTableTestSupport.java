package io.updraft.router.registry;

import io.updraft.common.protocol.router.RouteRegistration;
import java.util.List;
import java.util.Map;

/** Registrations as tests of other packages need them. */
public final class RouteTableTestSupport {

  private RouteTableTestSupport() {
  }

  /** A plain registration (no DEA, no sticky id) of {@code host:port} for {@code uris}. */
  public static RouteRegistration registration(String host, int port, String... uris) {
    return new RouteRegistration(host, port, List.of(uris), Map.of(), null, null, null);
  }
}
