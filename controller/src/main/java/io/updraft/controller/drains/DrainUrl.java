package io.updraft.controller.drains;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * A drain's endpoint: {@code syslog://HOST:PORT} (plain TCP) or {@code syslog-tls://HOST:PORT}
 * (TLS). Nothing else is accepted: no user info (a drain URL is shown in listings and logs, so
 * it must carry no secret), no path beyond {@code /}, no query.
 */
public record DrainUrl(boolean tls, String host, int port) {

  /** Parses and checks {@code raw}; the message of the exception says what is wrong. */
  public static DrainUrl parse(String raw) {
    String usage = "expected syslog://HOST:PORT or syslog-tls://HOST:PORT";
    if (raw == null || raw.isBlank()) {
      throw new IllegalArgumentException("a drain needs a URL: " + usage);
    }
    URI uri;
    try {
      uri = new URI(raw.trim());
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("malformed drain URL '" + raw + "': " + usage);
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("syslog") && !scheme.equals("syslog-tls")) {
      throw new IllegalArgumentException("unsupported drain scheme '" + scheme + "': " + usage);
    }
    if (uri.getRawUserInfo() != null) {
      throw new IllegalArgumentException("a drain URL must not contain user info: " + usage);
    }
    if (uri.getHost() == null || uri.getHost().isBlank()) {
      throw new IllegalArgumentException("the drain URL has no host: " + usage);
    }
    if (uri.getPort() < 1 || uri.getPort() > 65535) {
      throw new IllegalArgumentException("the drain URL needs a port (1-65535): " + usage);
    }
    if ((uri.getRawPath() != null && !uri.getRawPath().isEmpty() && !uri.getRawPath().equals("/"))
        || uri.getRawQuery() != null || uri.getRawFragment() != null) {
      throw new IllegalArgumentException("a drain URL has no path or query: " + usage);
    }
    String host = uri.getHost();
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1); // IPv6 literal
    }
    return new DrainUrl(scheme.equals("syslog-tls"), host, uri.getPort());
  }

  @Override
  public String toString() {
    return (tls ? "syslog-tls://" : "syslog://") + (host.contains(":") ? "[" + host + "]" : host)
        + ":" + port;
  }
}
