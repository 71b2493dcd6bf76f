package io.updraft.common.protocol;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Defensive copies for the compact constructors of protocol records, so a decoded message is
 * immutable whatever the mapper handed in.
 */
public final class Immutable {

  private Immutable() {
  }

  /** Absent becomes empty; null elements (never meaningful on the wire) are dropped. */
  public static <T> List<T> list(List<T> value) {
    return value == null ? List.of() : value.stream().filter(Objects::nonNull).toList();
  }

  /**
   * Like {@link #list} but keeps absent as {@code null}, for filters where absent means "any"
   * and an empty list means "none" (the v1 DEA's {@code dea.stop} semantics).
   */
  public static <T> List<T> listOrNull(List<T> value) {
    return value == null ? null : list(value);
  }

  /**
   * Absent becomes empty; entries with a null value ({@code {"bundle_gemfile":null}} in runtime
   * environments) are dropped, as the shared mapper would not write them and v1 readers treat
   * them as absent keys. Key order is kept.
   */
  public static <K, V> Map<K, V> map(Map<K, V> value) {
    if (value == null) {
      return Map.of();
    }
    Map<K, V> copy = new LinkedHashMap<>();
    value.forEach((k, v) -> {
      if (v != null) {
        copy.put(k, v);
      }
    });
    return Collections.unmodifiableMap(copy);
  }
}
