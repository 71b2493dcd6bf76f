package io.updraft.common.protocol.health;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.updraft.common.protocol.Json;
import io.updraft.common.protocol.WireMessage;

/**
 * {@code cloudcontroller.bulk.apps[.<partition>]} (Updraft addition): the health manager pages
 * through the apps' desired state over NATS instead of the v1 bulk HTTP API (PROTOCOL.md 4.6),
 * so it needs no controller URL or extra credentials; the reply has the bulk API's shape.
 * Controllers answer in queue group {@code cc}, so one replies.
 *
 * <pre>{"batch_size":500,"bulk_token":{"id":1200}}
 * {"droplet":"42"}</pre>
 *
 * @param batchSize apps per page (the controller caps it)
 * @param bulkToken the previous reply's token; absent for the first page
 * @param droplet only this app (after {@code droplet.updated}); then there is one page
 */
public record BulkAppsRequest(
    @JsonProperty("batch_size") Integer batchSize,
    @JsonProperty("bulk_token") BulkToken bulkToken,
    @JsonProperty("droplet") String droplet) implements WireMessage {

  /** The page cursor: the last app id of the previous page. */
  public record BulkToken(@JsonProperty("id") Long id) {
  }

  public static BulkAppsRequest page(int batchSize, BulkToken after) {
    return new BulkAppsRequest(batchSize, after, null);
  }

  public static BulkAppsRequest one(String droplet) {
    return new BulkAppsRequest(1, null, droplet);
  }

  public static BulkAppsRequest fromJson(byte[] payload) {
    return Json.decode(payload, BulkAppsRequest.class);
  }

  @Override
  public String logView() {
    return "BulkAppsRequest{" + (droplet != null ? "droplet=" + droplet
        : "batch=" + batchSize + ", after=" + (bulkToken == null ? null : bulkToken.id())) + "}";
  }
}
