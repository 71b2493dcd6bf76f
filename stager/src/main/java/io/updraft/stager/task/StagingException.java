package io.updraft.stager.task;

/**
 * Staging failed for a reason the app developer should read: its message becomes the
 * {@code error} of the staging reply, verbatim, so it never holds credentials.
 */
public class StagingException extends Exception {

  public StagingException(String message) {
    super(message);
  }

  public StagingException(String message, Throwable cause) {
    super(message, cause);
  }
}
