package io.updraft.common.config;

import io.updraft.common.bus.NatsConfig;

/**
 * What every component's config record has: the bus, the status endpoint, an index (CF v1
 * {@code index}, part of the component uuid) and the address other nodes reach it at.
 * Component records add their own keys and check them in {@link #validate()}.
 */
public interface ComponentConfig {

  NatsConfig nats();

  StatusConfig status();

  /** Instance index of this component (0 when there is one); part of its uuid. */
  Integer index();

  /**
   * The address other nodes use for this component (its LAN IP on a routed network); when
   * absent, the first site-local address of the host.
   */
  String localIp();

  /** Checks every value, naming the key of the first bad one; returns this. */
  default ComponentConfig validate() {
    nats().validate("nats.");
    status().validate("status.");
    if (index() != null && index() < 0) {
      throw new ConfigException("index", "must not be negative");
    }
    return this;
  }
}
