package io.updraft.common.protocol.health;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.updraft.common.protocol.Immutable;
import io.updraft.common.protocol.Json;
import io.updraft.common.protocol.Require;
import io.updraft.common.protocol.WireMessage;
import java.util.List;

/**
 * The health manager's record of one app, its reply (one per known app) to
 * {@code healthmanager.droplet} (PROTOCOL.md 5.1, HM 2.0, for tools and operators).
 *
 * <pre>{"droplet":"42","desired":{"id":"42","instances":2,"state":"STARTED",…},
 *  "instances":[{"instance":"b3c4…","index":0,"version":"6f1e…-3","state":"RUNNING",
 *  "dea":"0-9a1f…","since":1339000000}],"flapping":[1],"crashes":3}</pre>
 *
 * @param desired the app's desired state as last read, absent if it is not (or no longer) known
 * @param instances the live instances heard in heartbeats
 * @param flapping FLAPPING indices of the desired version
 * @param crashes crashes remembered for the app
 */
public record HealthDropletReply(
    @JsonProperty("droplet") String droplet,
    @JsonProperty("desired") BulkAppsReply.BulkApp desired,
    @JsonProperty("instances") List<Instance> instances,
    @JsonProperty("flapping") List<Integer> flapping,
    @JsonProperty("crashes") Integer crashes) implements WireMessage {

  public HealthDropletReply {
    Require.nonBlank(droplet, "droplet");
    instances = Immutable.list(instances);
    flapping = Immutable.list(flapping);
  }

  public static HealthDropletReply fromJson(byte[] payload) {
    return Json.decode(payload, HealthDropletReply.class);
  }

  @Override
  public String logView() {
    return "HealthDropletReply{droplet=" + droplet + ", instances=" + instances.size() + "}";
  }

  /** One live instance. */
  public record Instance(
      @JsonProperty("instance") String instance,
      @JsonProperty("index") Integer index,
      @JsonProperty("version") String version,
      @JsonProperty("state") String state,
      @JsonProperty("dea") String dea,
      @JsonProperty("since") Long since) {
  }
}
