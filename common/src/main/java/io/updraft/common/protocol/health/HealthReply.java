package io.updraft.common.protocol.health;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.updraft.common.protocol.Json;
import io.updraft.common.protocol.Require;
import io.updraft.common.protocol.WireMessage;

/**
 * The health manager's reply to {@code healthmanager.health}, one per known app of the
 * {@link HealthRequest} (PROTOCOL.md 5.1). A missing reply makes the controller show
 * {@code runningInstances} as null (N/A in clients).
 *
 * <pre>{"droplet":"42","version":"6f1e…-3","healthy":2}</pre>
 *
 * @param droplet app id
 * @param version the version counted
 * @param healthy instances of that version in state RUNNING
 */
public record HealthReply(
    @JsonProperty("droplet") String droplet,
    @JsonProperty("version") String version,
    @JsonProperty("healthy") Integer healthy) implements WireMessage {

  public HealthReply {
    Require.nonBlank(droplet, "droplet");
    Require.present(healthy, "healthy");
  }

  public static HealthReply fromJson(byte[] payload) {
    return Json.decode(payload, HealthReply.class);
  }

  @Override
  public String logView() {
    return "HealthReply{droplet=" + droplet + ", version=" + version + ", healthy=" + healthy + "}";
  }
}
