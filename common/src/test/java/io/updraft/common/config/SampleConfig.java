package io.updraft.common.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.updraft.common.bus.NatsConfig;

/** A component config as a module would write one: the shared sections plus its own keys. */
public record SampleConfig(
    @JsonProperty("nats") NatsConfig nats,
    @JsonProperty("status") StatusConfig status,
    @JsonProperty("index") Integer index,
    @JsonProperty("local_ip") String localIp,
    @JsonProperty("max_memory_mb") Integer maxMemoryMb) implements ComponentConfig {

  public SampleConfig {
    nats = nats == null ? new NatsConfig(null, null, null, null, null, null) : nats;
    status = status == null ? StatusConfig.defaults() : status;
    maxMemoryMb = maxMemoryMb == null ? 4096 : maxMemoryMb;
  }

  public static SampleConfig of(NatsConfig nats) {
    return new SampleConfig(nats, null, null, "127.0.0.1", null);
  }

  @Override
  public ComponentConfig validate() {
    ComponentConfig.super.validate();
    if (maxMemoryMb <= 0) {
      throw new ConfigException("max_memory_mb", "must be positive");
    }
    return this;
  }
}
