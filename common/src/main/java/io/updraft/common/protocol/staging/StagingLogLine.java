package io.updraft.common.protocol.staging;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.updraft.common.protocol.Json;
import io.updraft.common.protocol.Require;
import io.updraft.common.protocol.WireMessage;

/**
 * {@code staging.<task_id>.log} (Updraft addition): one line of a staging log, published by the
 * stager as it is written, in order. The controller relays them to the pushing client; the whole
 * log still arrives in {@link StagingResult#taskLog()}.
 *
 * <pre>{"task_id":"a1b2…","line":"Detected buildpack: node (package.json)"}</pre>
 */
public record StagingLogLine(
    @JsonProperty("task_id") String taskId,
    @JsonProperty("line") String line) implements WireMessage {

  public StagingLogLine {
    Require.nonBlank(taskId, "task_id");
    Require.present(line, "line");
  }

  public static StagingLogLine fromJson(byte[] payload) {
    return Json.decode(payload, StagingLogLine.class);
  }

  @Override
  public String logView() {
    return "StagingLogLine{task=" + taskId + "}";
  }
}
