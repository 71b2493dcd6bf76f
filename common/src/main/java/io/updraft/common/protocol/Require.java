package io.updraft.common.protocol;

/**
 * Required-field checks for the compact constructors of protocol records. A failure while
 * decoding becomes a {@link DecodeException} naming the field.
 */
public final class Require {

  private Require() {
  }

  public static <T> T present(T value, String wireName) {
    if (value == null) {
      throw new IllegalArgumentException("missing required field '" + wireName + "'");
    }
    return value;
  }

  public static String nonBlank(String value, String wireName) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("missing required field '" + wireName + "'");
    }
    return value;
  }
}
