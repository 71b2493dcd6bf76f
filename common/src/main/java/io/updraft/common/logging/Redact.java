package io.updraft.common.logging;

import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/** Removes secrets from what is about to be logged or shown on {@code /varz}. */
public final class Redact {

  /**
   * Keys whose values are secrets wherever they appear (CF v1 sanitised these from varz; we add
   * credentials and secrets).
   */
  private static final Set<String> SECRET_KEYS = Set.of(
      "password", "pass", "token", "mbus", "service_mbus", "keys", "database_environment",
      "credentials", "secret", "private_key", "auth");

  private Redact() {
  }

  /** {@code nats://user:pass@host:4222} becomes {@code nats://***@host:4222}. */
  public static String url(String url) {
    if (url == null) {
      return null;
    }
    int scheme = url.indexOf("://");
    int start = scheme < 0 ? 0 : scheme + 3;
    int at = url.indexOf('@', start);
    int slash = url.indexOf('/', start);
    if (at < 0 || (slash >= 0 && slash < at)) {
      return url;
    }
    return url.substring(0, start) + "***" + url.substring(at);
  }

  public static boolean isSecretKey(String key) {
    String k = key.toLowerCase(Locale.ROOT);
    return SECRET_KEYS.contains(k) || k.endsWith("_password") || k.endsWith("_token")
        || k.endsWith("_secret");
  }

  /** A copy of a config-like tree with secret keys removed at every depth. */
  @SuppressWarnings("unchecked")
  public static Map<String, Object> tree(Map<String, Object> tree) {
    return tree.entrySet().stream()
        .filter(e -> !isSecretKey(e.getKey()))
        .filter(e -> e.getValue() != null)
        .collect(Collectors.toMap(Map.Entry::getKey, e -> value(e.getValue()),
            (a, b) -> a, java.util.LinkedHashMap::new));
  }

  @SuppressWarnings("unchecked")
  private static Object value(Object v) {
    if (v instanceof Map<?, ?> m) {
      return tree((Map<String, Object>) m);
    }
    if (v instanceof java.util.List<?> list) {
      return list.stream().map((Function<Object, Object>) Redact::value).toList();
    }
    if (v instanceof String s && s.contains("://")) {
      return url(s);
    }
    return v;
  }
}
