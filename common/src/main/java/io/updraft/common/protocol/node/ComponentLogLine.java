package io.updraft.common.protocol.node;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.updraft.common.protocol.Json;
import io.updraft.common.protocol.Require;
import io.updraft.common.protocol.WireMessage;

/**
 * {@code updraft.logs.<node_id>.<process>} (Updraft addition): one line a supervised process
 * (a component, nats-server) wrote to its log, published by the node's kato agent as it is
 * written, for {@code kato log tail} on any node. Rate-limited per process; a line is at most
 * {@link io.updraft.common.protocol.logs.AppLogLine#MAX_LINE_CHARS} characters.
 *
 * <pre>{"node":"3f9a0c1d2b4e","name":"dea-1","process":"dea","line":"…","ts":1764032520123}</pre>
 *
 * @param node the node's id
 * @param name the node's name
 * @param process the supervised process ({@code kato status} name)
 * @param line the line without its line break
 * @param timestamp when the agent read it, epoch milliseconds (wire {@code ts})
 */
public record ComponentLogLine(
    @JsonProperty("node") String node,
    @JsonProperty("name") String name,
    @JsonProperty("process") String process,
    @JsonProperty("line") String line,
    @JsonProperty("ts") long timestamp) implements WireMessage {

  public ComponentLogLine {
    Require.nonBlank(node, "node");
    Require.nonBlank(process, "process");
    Require.present(line, "line");
  }

  public static ComponentLogLine fromJson(byte[] payload) {
    return Json.decode(payload, ComponentLogLine.class);
  }

  @Override
  public String logView() {
    return "ComponentLogLine{node=" + node + ", process=" + process + "}";
  }
}
