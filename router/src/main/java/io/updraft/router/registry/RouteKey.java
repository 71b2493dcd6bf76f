package io.updraft.router.registry;

import java.util.Locale;

/**
 * Where a route answers: a host name (lower case, no port; {@code *.example.com} for a wildcard
 * domain) and an optional path prefix ({@code app.example.com/api} answers {@code /api} and
 * {@code /api/...} but not {@code /apix}).
 *
 * @param host lower-case host name without port
 * @param path path prefix without trailing slash, or "" for the whole host
 */
public record RouteKey(String host, String path) {

  /**
   * Parses a registered uri ({@code app.example.com}, {@code App.Example.com:80/api/}); null
   * when there is no host in it. Schemes are tolerated and dropped.
   */
  public static RouteKey parse(String uri) {
    if (uri == null) {
      return null;
    }
    String s = uri.trim();
    int scheme = s.indexOf("://");
    if (scheme >= 0) {
      s = s.substring(scheme + 3);
    }
    int slash = s.indexOf('/');
    String host = slash < 0 ? s : s.substring(0, slash);
    String path = slash < 0 ? "" : s.substring(slash);
    while (path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    host = stripPort(host).toLowerCase(Locale.ROOT);
    return host.isEmpty() ? null : new RouteKey(host, path);
  }

  /** {@code host:port} to {@code host}; IPv6 literals in brackets keep their colons. */
  static String stripPort(String host) {
    int colon = host.lastIndexOf(':');
    if (colon < 0 || host.endsWith("]")) {
      return host;
    }
    return host.startsWith("[") ? host.substring(0, host.indexOf(']') + 1)
        : host.indexOf(':') == colon ? host.substring(0, colon) : host;
  }

  /** Whether a request path (no query string) falls under this route's prefix. */
  boolean matchesPath(String requestPath) {
    if (path.isEmpty()) {
      return true;
    }
    return requestPath.startsWith(path)
        && (requestPath.length() == path.length() || requestPath.charAt(path.length()) == '/');
  }

  /** The form it was registered in, e.g. {@code app.example.com/api}; metrics label. */
  @Override
  public String toString() {
    return host + path;
  }
}
