package io.updraft.common.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.updraft.common.bus.NatsConfig;

/**
 * The keys every component has and nothing else; a component uses it until it grows keys of
 * its own (then it writes its own record implementing {@link ComponentConfig}).
 */
public record BasicComponentConfig(
    @JsonProperty("nats") NatsConfig nats,
    @JsonProperty("status") StatusConfig status,
    @JsonProperty("index") Integer index,
    @JsonProperty("local_ip") String localIp) implements ComponentConfig {

  public BasicComponentConfig {
    nats = nats == null ? new NatsConfig(null, null, null, null, null, null) : nats;
    status = status == null ? StatusConfig.defaults() : status;
  }
}
