package io.updraft.common.protocol.component;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.updraft.common.protocol.Immutable;
import io.updraft.common.protocol.Json;
import io.updraft.common.protocol.Require;
import io.updraft.common.protocol.WireMessage;
import java.util.List;

/**
 * The discover document (PROTOCOL.md section 1): published once on
 * {@code vcap.component.announce} when a component starts, and sent by every component in
 * reply to {@code vcap.component.discover}. Monitoring tools use it to find each component's
 * {@code /varz} and the Basic-auth credentials for it.
 *
 * <pre>{"type":"DEA","index":0,"uuid":"0-9a1f…","host":"10.0.0.7:34567",
 * "credentials":["3f2a…","8c1d…"],"start":"2026-11-24 21:40:01 +0000","uptime":"0d:0h:1m:12s"}</pre>
 *
 * @param type component kind: {@code CloudController}, {@code DEA}, {@code HealthManager},
 *     {@code Router}, {@code Stager}, {@code <Service>aaS-Node}, …
 * @param host {@code ip:port} of the status endpoint
 * @param credentials Basic-auth user and password of {@code /varz} (on the wire by design; the
 *     bus is private and authenticated)
 * @param start start time, Ruby {@code Time#to_s} style
 * @param uptime only in discover replies: {@code <d>d:<h>h:<m>m:<s>s}
 */
public record ComponentDiscover(
    @JsonProperty("type") String type,
    @JsonProperty("index") Integer index,
    @JsonProperty("uuid") String uuid,
    @JsonProperty("host") String host,
    @JsonProperty("credentials") List<String> credentials,
    @JsonProperty("start") String start,
    @JsonProperty("uptime") String uptime) implements WireMessage {

  public ComponentDiscover {
    Require.nonBlank(type, "type");
    Require.nonBlank(uuid, "uuid");
    credentials = Immutable.list(credentials);
  }

  public static ComponentDiscover fromJson(byte[] payload) {
    return Json.decode(payload, ComponentDiscover.class);
  }

  @Override
  public String logView() {
    return "ComponentDiscover{type=" + type + ", uuid=" + uuid + ", host=" + host + "}";
  }

  @Override
  public String toString() {
    return logView();
  }
}
