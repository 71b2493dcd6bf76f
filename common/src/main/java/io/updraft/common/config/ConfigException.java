package io.updraft.common.config;

/**
 * A configuration value that cannot work. The component prints {@link #getMessage()} as one
 * line naming the key and exits; no stack trace.
 */
public class ConfigException extends RuntimeException {

  private final String key;

  public ConfigException(String key, String problem) {
    super("config error: " + key + ": " + problem);
    this.key = key;
  }

  public String key() {
    return key;
  }
}
