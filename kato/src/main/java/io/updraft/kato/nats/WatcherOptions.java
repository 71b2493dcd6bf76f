package io.updraft.kato.nats;

import io.nats.client.Options;
import io.updraft.common.bus.NatsConfig;
import java.time.Duration;

/**
 * Connection options for kato's bus watchers ({@code kato nats tail}, {@code kato log tail}):
 * they reconnect for as long as the operator watches, and the connection is named so it is
 * recognisable in the server's connection list.
 */
public final class WatcherOptions {

  private WatcherOptions() {
  }

  public static Options of(NatsConfig config, String connectionName) {
    Options.Builder builder = new Options.Builder()
        .servers(config.servers().toArray(String[]::new))
        .connectionName(connectionName)
        .connectionTimeout(config.connectTimeout())
        .maxReconnects(-1)
        .reconnectWait(Duration.ofMillis(500))
        .errorListener(new io.nats.client.ErrorListener() { });
    if (config.token() != null) {
      builder.token(config.token().toCharArray());
    } else if (config.user() != null) {
      builder.userInfo(config.user().toCharArray(), config.password().toCharArray());
    }
    return builder.build();
  }
}
