package io.updraft.common.protocol;

/** A wire payload that is not the message it claims to be. The message names the field. */
public class DecodeException extends RuntimeException {

  public DecodeException(String message) {
    super(message);
  }

  public DecodeException(String message, Throwable cause) {
    super(message, cause);
  }
}
