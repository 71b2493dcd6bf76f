package io.updraft.common.protocol.staging;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.updraft.common.protocol.Json;
import io.updraft.common.protocol.WireMessage;

/**
 * A stager's reply to a {@link StagingRequest} (PROTOCOL.md 7.1, 7.3). The controller marks
 * the package STAGED or FAILED and keeps the task log, which it serves as
 * {@code logs/staging.log}.
 *
 * <pre>{"task_id":"a1b2…","task_log":"Setting up temporary directories\n…\nDone!\n"}</pre>
 *
 * @param taskId the stager's id for the task (32 hex)
 * @param taskLog human-readable progress and buildpack output
 * @param error present when staging failed: a plain message (G1 sent a JSON string here)
 */
public record StagingResult(
    @JsonProperty("task_id") String taskId,
    @JsonProperty("task_log") String taskLog,
    @JsonProperty("error") String error) implements WireMessage {

  public static StagingResult fromJson(byte[] payload) {
    return Json.decode(payload, StagingResult.class);
  }

  public boolean succeeded() {
    return error == null || error.isBlank();
  }

  @Override
  public String logView() {
    return "StagingResult{task_id=" + taskId + (succeeded() ? ", succeeded" : ", error=" + error)
        + ", log=" + (taskLog == null ? 0 : taskLog.length()) + " chars}";
  }
}
