package io.updraft.client.api;

/**
 * The cloud said no (or could not be reached). {@link #getMessage()} is the one line a person
 * should read: the server's {@code description} when it gave one.
 */
public final class CloudException extends RuntimeException {

  private final int status;
  private final int code;

  public CloudException(int status, int code, String message) {
    super(message);
    this.status = status;
    this.code = code;
  }

  /** HTTP status, or 0 when the cloud was not reached. */
  public int status() {
    return status;
  }

  /** The CF v1 error code, or -1. */
  public int code() {
    return code;
  }
}
