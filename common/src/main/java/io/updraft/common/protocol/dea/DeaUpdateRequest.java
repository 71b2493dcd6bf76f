package io.updraft.common.protocol.dea;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.updraft.common.protocol.Immutable;
import io.updraft.common.protocol.Json;
import io.updraft.common.protocol.Require;
import io.updraft.common.protocol.WireMessage;
import java.util.List;

/**
 * {@code dea.update}: the controller tells every DEA an app's route list changed
 * (PROTOCOL.md 3.7). Each DEA holding instances of the app registers the added URIs and
 * unregisters the removed ones with the routers. v1 controllers sent their whole start-message
 * template; only {@code droplet} and {@code uris} are read, the rest is ignored.
 *
 * <pre>{"droplet":"42","uris":["blog.vcap.me","www.blog.example.com"]}</pre>
 *
 * @param droplet app id
 * @param uris the complete new route list
 */
public record DeaUpdateRequest(
    @JsonProperty("droplet") String droplet,
    @JsonProperty("uris") List<String> uris) implements WireMessage {

  public DeaUpdateRequest {
    Require.nonBlank(droplet, "droplet");
    uris = Immutable.list(uris);
  }

  public static DeaUpdateRequest fromJson(byte[] payload) {
    return Json.decode(payload, DeaUpdateRequest.class);
  }

  @Override
  public String logView() {
    return "DeaUpdateRequest{droplet=" + droplet + ", uris=" + uris + "}";
  }
}
