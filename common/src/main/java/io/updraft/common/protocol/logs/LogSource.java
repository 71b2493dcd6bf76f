package io.updraft.common.protocol.logs;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Where an {@link AppLogLine} was written: the instance's stdout or stderr, or its staging. */
public enum LogSource {
  @JsonProperty("stdout") STDOUT,
  @JsonProperty("stderr") STDERR,
  @JsonProperty("staging") STAGING;

  /** The wire value ({@code stdout}, {@code stderr}, {@code staging}). */
  public String wire() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
