package io.updraft.controller.staging;

import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;

/** Checks the Basic-auth credentials a stager or DEA got embedded in a URL. */
final class BasicAuth {

  private BasicAuth() {
  }

  /** The password given for {@code user}, or null when absent or for another user. */
  static String password(RoutingContext ctx, String user) {
    String header = ctx.request().getHeader("Authorization");
    if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
      return null;
    }
    String decoded;
    try {
      decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()),
          StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return null;
    }
    int colon = decoded.indexOf(':');
    return colon > 0 && decoded.substring(0, colon).equals(user)
        ? decoded.substring(colon + 1) : null;
  }

  static boolean matches(String given, String expected) {
    return given != null && expected != null && MessageDigest.isEqual(
        given.getBytes(StandardCharsets.UTF_8), expected.getBytes(StandardCharsets.UTF_8));
  }
}
