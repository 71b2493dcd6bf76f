package io.updraft.common.protocol.router;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.updraft.common.protocol.Immutable;
import io.updraft.common.protocol.Json;
import io.updraft.common.protocol.Require;
import io.updraft.common.protocol.WireMessage;
import java.util.List;
import java.util.Map;

/**
 * The body of {@code router.register} and {@code router.unregister} (PROTOCOL.md 6.1). DEAs
 * publish it for each RUNNING instance (and again on every {@code router.start}), the
 * controller and other HTTP components for themselves; every router consumes it. A backend is
 * identified by {@code (uri, host, port)}.
 *
 * <pre>{"dea":"0-9a1f…","app":"42","host":"10.0.0.7","port":61023,"uris":["blog.vcap.me"],
 * "tags":{"framework":"sinatra","runtime":"ruby19"},"private_instance_id":"<64 hex>"}</pre>
 *
 * @param host backend address
 * @param port backend port
 * @param uris host names to map (no scheme, no path)
 * @param tags labels for per-tag router metrics ({@code framework}/{@code runtime} from DEAs,
 *     {@code component} from the controller)
 * @param dea DEA uuid (DEA registrations only)
 * @param app app id (DEA registrations only)
 * @param privateInstanceId 64-hex sticky-session token ({@code __VCAP_ID__} cookie value);
 *     DEA register only
 */
public record RouteRegistration(
    @JsonProperty("host") String host,
    @JsonProperty("port") Integer port,
    @JsonProperty("uris") List<String> uris,
    @JsonProperty("tags") Map<String, String> tags,
    @JsonProperty("dea") String dea,
    @JsonProperty("app") String app,
    @JsonProperty("private_instance_id") String privateInstanceId) implements WireMessage {

  public RouteRegistration {
    Require.nonBlank(host, "host");
    Require.present(port, "port");
    uris = Immutable.list(uris);
    tags = Immutable.map(tags);
  }

  public static RouteRegistration fromJson(byte[] payload) {
    return Json.decode(payload, RouteRegistration.class);
  }

  @Override
  public String logView() {
    return "RouteRegistration{uris=" + uris + ", backend=" + host + ":" + port
        + (app != null ? ", app=" + app : "") + "}";
  }
}
