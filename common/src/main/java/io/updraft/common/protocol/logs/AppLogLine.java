package io.updraft.common.protocol.logs;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.updraft.common.protocol.Json;
import io.updraft.common.protocol.Require;
import io.updraft.common.protocol.WireMessage;

/**
 * {@code logs.<app_id>} (Updraft addition): one line an app wrote, published as it is written.
 * DEAs publish the lines of each instance's {@code logs/stdout.log} and {@code logs/stderr.log}
 * (rate-limited per instance, each line capped in length); the controller republishes the
 * lines of the app's staging ({@code staging.<task_id>.log}) with source {@code staging}. The
 * controller keeps a bounded recent window of them (a JetStream stream when the server has
 * JetStream) and streams them to {@code updraft logs APP --follow}.
 *
 * <pre>{"app":"42","instance":"9f1c…","index":0,"source":"stdout","line":"GET / 200","ts":1764032520123}</pre>
 *
 * @param app the app (droplet) id
 * @param instance the instance id, or for staging lines the staging task id; may be null
 * @param index the instance index; null for staging lines
 * @param source stdout, stderr or staging
 * @param line the line without its line break, at most {@link #MAX_LINE_CHARS} characters
 * @param timestamp when the publisher read the line, epoch milliseconds (wire {@code ts})
 */
public record AppLogLine(
    @JsonProperty("app") String app,
    @JsonProperty("instance") String instance,
    @JsonProperty("index") Integer index,
    @JsonProperty("source") LogSource source,
    @JsonProperty("line") String line,
    @JsonProperty("ts") long timestamp) implements WireMessage {

  /** Publishers cut longer lines (a log line is not a file transfer). */
  public static final int MAX_LINE_CHARS = 4096;

  public AppLogLine {
    Require.nonBlank(app, "app");
    Require.present(source, "source");
    Require.present(line, "line");
  }

  public static AppLogLine fromJson(byte[] payload) {
    return Json.decode(payload, AppLogLine.class);
  }

  /** {@code <source>/<index>} ({@code staging} alone for staging lines), as clients show it. */
  public String origin() {
    return index == null ? source.wire() : source.wire() + "/" + index;
  }

  @Override
  public String logView() {
    return "AppLogLine{app=" + app + ", " + origin() + "}";
  }
}
