package io.updraft.common.protocol.health;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.updraft.common.protocol.Immutable;
import io.updraft.common.protocol.Json;
import io.updraft.common.protocol.Require;
import io.updraft.common.protocol.WireMessage;
import java.util.Map;

/**
 * One page of desired state, the v1 bulk API's shape (PROTOCOL.md 4.6): apps by id and the
 * token for the next page; an empty {@code results} ends the scan.
 *
 * <pre>{"results":{"42":{"id":"42","name":"hello","instances":2,"state":"STARTED",
 *  "framework":"python","runtime":"python3","memory":256,"package_state":"STAGED",
 *  "updated_at":1339000000,"version":"6f1e…-3"}},"bulk_token":{"id":42}}</pre>
 */
public record BulkAppsReply(
    @JsonProperty("results") Map<String, BulkApp> results,
    @JsonProperty("bulk_token") BulkAppsRequest.BulkToken bulkToken) implements WireMessage {

  public BulkAppsReply {
    results = Immutable.map(results);
  }

  public static BulkAppsReply fromJson(byte[] payload) {
    return Json.decode(payload, BulkAppsReply.class);
  }

  @Override
  public String logView() {
    return "BulkAppsReply{apps=" + results.size() + ", token="
        + (bulkToken == null ? null : bulkToken.id()) + "}";
  }

  /**
   * An app's desired state.
   *
   * @param id app id
   * @param state {@code STARTED} or {@code STOPPED}
   * @param packageState {@code PENDING} while bits or bindings changed and staging has not
   *     finished, {@code STAGED}, {@code FAILED}
   * @param updatedAt Unix seconds of the last change (echoed in STOP requests)
   * @param version the version that should run
   */
  public record BulkApp(
      @JsonProperty("id") String id,
      @JsonProperty("name") String name,
      @JsonProperty("instances") Integer instances,
      @JsonProperty("state") String state,
      @JsonProperty("framework") String framework,
      @JsonProperty("runtime") String runtime,
      @JsonProperty("memory") Integer memory,
      @JsonProperty("package_state") String packageState,
      @JsonProperty("updated_at") Long updatedAt,
      @JsonProperty("version") String version) {

    public BulkApp {
      Require.nonBlank(id, "id");
      Require.present(instances, "instances");
      Require.nonBlank(state, "state");
      updatedAt = updatedAt == null ? 0L : updatedAt;
    }

    public boolean started() {
      return "STARTED".equalsIgnoreCase(state);
    }

    public boolean staged() {
      return "STAGED".equalsIgnoreCase(packageState);
    }
  }
}
