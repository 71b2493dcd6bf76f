package io.updraft.common.protocol.dea;

import java.util.List;

/**
 * The instance filters shared by {@code dea.stop} and {@code dea.find.droplet} (PROTOCOL.md
 * 3.6, 3.8). An instance is selected when it belongs to {@link #droplet()} and matches
 * <em>every present</em> filter. An absent filter ({@code null}) matches everything; a present
 * but empty list matches nothing, as in the v1 DEA, so an empty "stop these instances" list can
 * never stop them all.
 */
public interface InstanceSelector {

  String droplet();

  /** Exact app version, or null for any. */
  String version();

  /** Instance ids, or null for any. */
  List<String> instances();

  /** Instance indices, or null for any. */
  List<Integer> indices();

  /** Instance states, or null for any. */
  List<InstanceState> states();

  /** Whether the described instance is selected. Ids are compared as strings. */
  default boolean selects(String droplet, String version, String instance, int index,
      InstanceState state) {
    return droplet().equals(droplet)
        && (version() == null || version().equals(version))
        && (instances() == null || instances().contains(instance))
        && (indices() == null || indices().contains(index))
        && (states() == null || states().contains(state));
  }

  /** The present filters, as {@code ", version=…, indices=[…]"}, for log views. */
  default String filterView() {
    return (version() != null ? ", version=" + version() : "")
        + (instances() != null ? ", instances=" + instances() : "")
        + (indices() != null ? ", indices=" + indices() : "")
        + (states() != null ? ", states=" + states() : "");
  }
}
