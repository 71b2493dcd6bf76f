package io.updraft.common.protocol.health;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.updraft.common.protocol.Immutable;
import io.updraft.common.protocol.Json;
import io.updraft.common.protocol.Require;
import io.updraft.common.protocol.WireMessage;
import java.util.List;

/**
 * The health manager's reply to a CRASHED {@link HealthStatusRequest} (PROTOCOL.md 5.1): the
 * app's recent crashes, which the controller serves as {@code GET /apps/:name/crashes}.
 *
 * <pre>{"instances":[{"instance":"e5f6…","since":1339000123}]}</pre>
 */
public record CrashesStatusReply(
    @JsonProperty("instances") List<Crash> instances) implements WireMessage {

  public CrashesStatusReply {
    instances = Immutable.list(instances);
  }

  public static CrashesStatusReply fromJson(byte[] payload) {
    return Json.decode(payload, CrashesStatusReply.class);
  }

  @Override
  public String logView() {
    return "CrashesStatusReply{crashes=" + instances.size() + "}";
  }

  /**
   * One crashed instance.
   *
   * @param instance instance id
   * @param since the crash time, Unix seconds
   */
  public record Crash(
      @JsonProperty("instance") String instance,
      @JsonProperty("since") Long since) {

    public Crash {
      Require.nonBlank(instance, "instance");
    }
  }
}
