package io.updraft.common.protocol.router;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.updraft.common.protocol.Immutable;
import io.updraft.common.protocol.Json;
import io.updraft.common.protocol.Require;
import io.updraft.common.protocol.WireMessage;
import java.util.List;

/**
 * {@code router.start}: a router announces itself at start and every 30 s (PROTOCOL.md 6.2).
 * Every registrant (DEAs, controller, other HTTP components) reacts by re-publishing all its
 * {@code router.register} messages, the only keep-alive of the route table. The same document
 * is the reply to a {@code router.greet} request.
 *
 * <pre>{"id":"5c1e…","version":0.98,"hosts":["10.0.0.3"],
 *  "minimumRegisterIntervalInSeconds":5}</pre>
 *
 * @param id router id (32 hex)
 * @param version router software version, a JSON number
 * @param hosts the router's addresses (G3)
 * @param minimumRegisterIntervalInSeconds how often registrants should re-register even
 *     without a {@code router.start} (gorouter 2013; camelCase on the wire)
 */
public record RouterStart(
    @JsonProperty("id") String id,
    @JsonProperty("version") Double version,
    @JsonProperty("hosts") List<String> hosts,
    @JsonProperty("minimumRegisterIntervalInSeconds") Integer minimumRegisterIntervalInSeconds)
    implements WireMessage {

  public RouterStart {
    Require.nonBlank(id, "id");
    hosts = Immutable.list(hosts);
  }

  public static RouterStart fromJson(byte[] payload) {
    return Json.decode(payload, RouterStart.class);
  }

  @Override
  public String logView() {
    return "RouterStart{id=" + id + ", hosts=" + hosts + "}";
  }
}
