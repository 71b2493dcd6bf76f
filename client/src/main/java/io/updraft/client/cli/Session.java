package io.updraft.client.cli;

import io.updraft.client.api.CloudClient;
import io.updraft.client.api.CloudException;
import io.updraft.client.config.ClientConfig;
import java.io.IOException;
import java.util.Map;

/** The client's state for one command: config, environment, the API client, output. */
final class Session {

  final Map<String, String> env;
  final Output out;
  ClientConfig config;

  Session(Map<String, String> env, Output out) {
    this.env = env;
    this.out = out;
    this.config = ClientConfig.load(env);
  }

  /** A client for the current target; fails with a hint when there is none. */
  CloudClient cloud() {
    if (config.target() == null) {
      throw new CloudException(0, -1, "no target set: run 'updraft target URL' first");
    }
    return new CloudClient(config.target(), config.token());
  }

  /** Like {@link #cloud()} but also needs a login. */
  CloudClient loggedIn() {
    CloudClient cloud = cloud();
    if (config.token() == null) {
      throw new CloudException(0, -1, "not logged in: run 'updraft login' first");
    }
    return cloud;
  }

  void save(ClientConfig newConfig) {
    config = newConfig;
    try {
      config.save(env);
    } catch (IOException e) {
      throw new CloudException(0, -1, "cannot save " + ClientConfig.file(env) + ": "
          + e.getMessage());
    }
  }
}
