package io.updraft.controller.staging;

/** Staging did not produce a droplet; the message is for the user, the log says why. */
public final class StagingFailedException extends RuntimeException {

  private final String log;

  public StagingFailedException(String message, String log) {
    super(message);
    this.log = log;
  }

  public String log() {
    return log;
  }
}
