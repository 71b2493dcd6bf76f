package io.updraft.common.protocol.dea;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.updraft.common.protocol.Immutable;
import io.updraft.common.protocol.Json;
import io.updraft.common.protocol.Require;
import io.updraft.common.protocol.WireMessage;
import java.util.List;
import java.util.stream.Stream;

/**
 * {@code dea.find.droplet}: the controller asks every DEA for the instances of an app that
 * match all present filters (PROTOCOL.md 3.8, see {@link InstanceSelector}); each DEA replies
 * once per matching instance with a {@link FindDropletReply}. Used for instance listings,
 * stats ({@code include_stats}) and file access, with a 2 s window.
 *
 * <pre>{"droplet":"42","version":"6f1e…-3","states":["STARTING","RUNNING"],
 *  "include_stats":true}</pre>
 *
 * <p>Quirk: v1 controllers sent instance ids under {@code instance_ids} when fetching files
 * while DEAs read {@code instances}. Both are read here and merged into {@link #instances()};
 * only {@code instances} is written.
 *
 * @param droplet app id
 * @param instances instance id filter (merged with {@code instance_ids})
 * @param instanceIds read-only alias of {@code instances}; always null after construction
 * @param includeStats attach {@code stats} to replies for RUNNING instances
 */
public record FindDropletRequest(
    @JsonProperty("droplet") String droplet,
    @JsonProperty("version") String version,
    @JsonProperty("instances") List<String> instances,
    @JsonProperty("instance_ids") List<String> instanceIds,
    @JsonProperty("indices") List<Integer> indices,
    @JsonProperty("states") List<InstanceState> states,
    @JsonProperty("include_stats") Boolean includeStats) implements WireMessage, InstanceSelector {

  public FindDropletRequest {
    Require.nonBlank(droplet, "droplet");
    // absent filters stay null: absent means "any", empty means "none"
    if (instanceIds != null) {
      instances = Stream.concat(Immutable.list(instances).stream(), instanceIds.stream())
          .distinct().toList();
      instanceIds = null;
    }
    instances = Immutable.listOrNull(instances);
    indices = Immutable.listOrNull(indices);
    states = Immutable.listOrNull(states);
  }

  public static FindDropletRequest fromJson(byte[] payload) {
    return Json.decode(payload, FindDropletRequest.class);
  }

  @Override
  public String logView() {
    return "FindDropletRequest{droplet=" + droplet + filterView()
        + (Boolean.TRUE.equals(includeStats) ? ", include_stats" : "") + "}";
  }
}
