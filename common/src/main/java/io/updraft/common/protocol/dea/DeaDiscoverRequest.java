package io.updraft.common.protocol.dea;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.updraft.common.protocol.Json;
import io.updraft.common.protocol.Require;
import io.updraft.common.protocol.WireMessage;

/**
 * {@code dea.discover}: the controller's placement query when no fresh {@code dea.advertise}
 * is known (PROTOCOL.md 3.4, Updraft decision 2). Every DEA receives it; one with room and the
 * runtime answers with its {@link DeaHello} after a load-dependent delay, and the controller
 * takes the first reply.
 *
 * <pre>{"droplet":"42","name":"blog","limits":{"mem":128,"disk":2048,"fds":256},
 * "runtime":"ruby19","runtime_info":{"name":"ruby19"},"prod":false,"sha":"6f1e…"}</pre>
 *
 * @param droplet app id
 * @param limits the DEA only reads {@code mem}
 * @param runtime runtime name (G1/G2 DEAs match on it)
 * @param runtimeInfo G3 runtime description (G3 DEAs match on its name)
 * @param sha droplet sha1 (informational)
 */
public record DeaDiscoverRequest(
    @JsonProperty("droplet") String droplet,
    @JsonProperty("name") String name,
    @JsonProperty("limits") Limits limits,
    @JsonProperty("runtime") String runtime,
    @JsonProperty("runtime_info") RuntimeInfo runtimeInfo,
    @JsonProperty("prod") Boolean prod,
    @JsonProperty("sha") String sha) implements WireMessage {

  public DeaDiscoverRequest {
    Require.nonBlank(droplet, "droplet");
  }

  public static DeaDiscoverRequest fromJson(byte[] payload) {
    return Json.decode(payload, DeaDiscoverRequest.class);
  }

  /** The runtime a DEA must support: {@code runtime_info.name}, else {@code runtime}. */
  public String runtimeName() {
    return RuntimeInfo.effectiveName(runtimeInfo, runtime);
  }

  @Override
  public String logView() {
    return "DeaDiscoverRequest{droplet=" + droplet + ", name=" + name + ", runtime="
        + runtimeName() + ", mem=" + (limits == null ? null : limits.memMb()) + "MB}";
  }
}
