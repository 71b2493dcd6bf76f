package io.updraft.common.protocol.dea;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.updraft.common.protocol.Immutable;
import io.updraft.common.protocol.Json;
import io.updraft.common.protocol.Require;
import io.updraft.common.protocol.WireMessage;
import java.util.List;

/**
 * A DEA's reply to {@code dea.find.droplet}, one per matching instance (PROTOCOL.md 3.8). The
 * controller builds instance listings, stats and file access from these.
 *
 * <pre>{"dea":"0-9a1f…","droplet":"42","version":"6f1e…-3","instance":"b3c4…","index":0,
 * "state":"RUNNING","state_timestamp":1339000000,"file_uri":"http://10.0.0.7:12345/droplets/",
 * "credentials":["f1…","c9…"],"staged":"blog-0-b3c4…","stats":{…}}</pre>
 *
 * @param dea DEA uuid
 * @param droplet app id
 * @param version the instance's app version
 * @param instance instance id
 * @param stateTimestamp Unix seconds of the last state change
 * @param fileUri base URI of the DEA file server
 * @param credentials Basic-auth {@code [user, password]} of the file server; secret, never logged
 * @param staged instance directory relative to the apps directory
 * @param stats present when asked with {@code include_stats} and the instance is RUNNING
 */
public record FindDropletReply(
    @JsonProperty("dea") String dea,
    @JsonProperty("droplet") String droplet,
    @JsonProperty("version") String version,
    @JsonProperty("instance") String instance,
    @JsonProperty("index") Integer index,
    @JsonProperty("state") InstanceState state,
    @JsonProperty("state_timestamp") Long stateTimestamp,
    @JsonProperty("file_uri") String fileUri,
    @JsonProperty("credentials") List<String> credentials,
    @JsonProperty("staged") String staged,
    @JsonProperty("debug_ip") String debugIp,
    @JsonProperty("debug_port") Integer debugPort,
    @JsonProperty("console_ip") String consoleIp,
    @JsonProperty("console_port") Integer consolePort,
    @JsonProperty("stats") InstanceStats stats) implements WireMessage {

  public FindDropletReply {
    Require.nonBlank(droplet, "droplet");
    Require.nonBlank(instance, "instance");
    Require.present(index, "index");
    Require.present(state, "state");
    credentials = Immutable.list(credentials);
  }

  public static FindDropletReply fromJson(byte[] payload) {
    return Json.decode(payload, FindDropletReply.class);
  }

  @Override
  public String logView() {
    return "FindDropletReply{dea=" + dea + ", droplet=" + droplet + ", instance=" + instance
        + ", index=" + index + ", state=" + state + "}";
  }

  /** The log view: the file-server credentials must not reach a log by accident. */
  @Override
  public String toString() {
    return logView();
  }
}
