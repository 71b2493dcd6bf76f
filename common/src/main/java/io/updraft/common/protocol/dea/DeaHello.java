package io.updraft.common.protocol.dea;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.updraft.common.protocol.Json;
import io.updraft.common.protocol.Require;
import io.updraft.common.protocol.WireMessage;

/**
 * A DEA's hello document (PROTOCOL.md 3.2, 3.4). Published once on {@code dea.start} after the
 * DEA connects (no core consumer; monitoring tools watch it), and sent unchanged as the DEA's
 * reply to a {@code dea.discover} placement query, which the controller reads to pick the DEA.
 * {@link DeaStatusReply} extends it with load figures.
 *
 * <pre>{"id":"0-9a1f…","ip":"10.0.0.7","port":12345,"version":0.99}</pre>
 *
 * @param id DEA uuid, used to build {@code dea.<id>.start}
 * @param ip DEA address
 * @param port the DEA file server's port
 * @param version DEA software version, a JSON number
 */
public record DeaHello(
    @JsonProperty("id") String id,
    @JsonProperty("ip") String ip,
    @JsonProperty("port") Integer port,
    @JsonProperty("version") Double version) implements WireMessage {

  public DeaHello {
    Require.nonBlank(id, "id");
  }

  public static DeaHello fromJson(byte[] payload) {
    return Json.decode(payload, DeaHello.class);
  }

  @Override
  public String logView() {
    return "DeaHello{dea=" + id + ", ip=" + ip + "}";
  }
}
