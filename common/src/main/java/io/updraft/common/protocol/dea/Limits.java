package io.updraft.common.protocol.dea;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The resource limits of one app instance, as the controller puts them in {@code dea.discover}
 * and {@code dea.<uuid>.start} (PROTOCOL.md 3.4, 3.5). Memory and disk are in MB here (the DEA
 * reports quotas in bytes, see {@link InstanceStats}).
 *
 * <pre>{"mem":128,"disk":2048,"fds":256}</pre>
 *
 * @param memMb memory limit in MB
 * @param diskMb disk quota in MB
 * @param fds open file descriptor limit
 */
public record Limits(
    @JsonProperty("mem") Integer memMb,
    @JsonProperty("disk") Integer diskMb,
    @JsonProperty("fds") Integer fds) {

  /** What the v1 DEA assumed for a missing limit: 512 MB memory, 256 MB disk, 1024 fds. */
  public static final Limits DEFAULTS = new Limits(512, 256, 1024);

  /** These limits with every missing one taken from {@link #DEFAULTS}. */
  public Limits withDefaults() {
    return new Limits(memMb != null ? memMb : DEFAULTS.memMb,
        diskMb != null ? diskMb : DEFAULTS.diskMb, fds != null ? fds : DEFAULTS.fds);
  }
}
