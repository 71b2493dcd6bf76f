package io.updraft.kato.supervisor;

import com.fasterxml.jackson.annotation.JsonProperty;

/** A snapshot of one supervised process, as {@code kato status} shows it. */
public record ProcessStatus(
    @JsonProperty("name") String name,
    @JsonProperty("state") ProcessState state,
    @JsonProperty("pid") Long pid,
    @JsonProperty("uptime_seconds") Long uptimeSeconds,
    @JsonProperty("restarts") int restarts,
    @JsonProperty("last_exit") Integer lastExit,
    @JsonProperty("message") String message) {
}
