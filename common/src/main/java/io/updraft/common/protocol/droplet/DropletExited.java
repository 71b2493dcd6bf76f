package io.updraft.common.protocol.droplet;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.updraft.common.protocol.Json;
import io.updraft.common.protocol.Require;
import io.updraft.common.protocol.WireMessage;

/**
 * {@code droplet.exited}: a DEA reports, once per instance, that the instance stopped for any
 * reason (PROTOCOL.md 3.10). Consumed by the health manager, which restarts crashed and
 * evacuated instances and tracks flapping.
 *
 * <pre>{"droplet":"42","version":"6f1e…-3","instance":"e5f6…","index":1,"reason":"CRASHED",
 * "crash_timestamp":1339000123,"cc_partition":"default"}</pre>
 *
 * @param droplet app id
 * @param version the instance's app version
 * @param instance instance id
 * @param crashTimestamp Unix seconds; only when the reason is CRASHED
 * @param ccPartition from the start message
 *
 * <p>Updraft additions, optional: {@code exit_status} (the process's exit code when it had one)
 * and {@code exit_description} (why, e.g. {@code out of memory}, {@code failed to start:
 * sha1 mismatch}), so operators see the cause on the bus.
 */
public record DropletExited(
    @JsonProperty("droplet") String droplet,
    @JsonProperty("version") String version,
    @JsonProperty("instance") String instance,
    @JsonProperty("index") Integer index,
    @JsonProperty("reason") ExitReason reason,
    @JsonProperty("crash_timestamp") Long crashTimestamp,
    @JsonProperty("cc_partition") String ccPartition,
    @JsonProperty("exit_status") Integer exitStatus,
    @JsonProperty("exit_description") String exitDescription) implements WireMessage {

  public DropletExited {
    Require.nonBlank(droplet, "droplet");
    Require.nonBlank(instance, "instance");
    Require.present(index, "index");
    Require.present(reason, "reason");
  }

  public static DropletExited fromJson(byte[] payload) {
    return Json.decode(payload, DropletExited.class);
  }

  @Override
  public String logView() {
    return "DropletExited{droplet=" + droplet + ", index=" + index + ", instance=" + instance
        + ", reason=" + reason + "}";
  }
}
