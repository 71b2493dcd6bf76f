package io.updraft.servicesnode.backend;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * Names and passwords the node generates. Every identifier that reaches SQL or a Redis ACL
 * rule is one of these (lower-case hex behind a letter), never text from a request, which is
 * why statements can name them inline.
 */
public final class Secrets {

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Pattern IDENTIFIER = Pattern.compile("[a-z][0-9a-f]{8,62}");
  /** Passwords are 48 hex digits; any such run in a message is masked before it is logged. */
  private static final Pattern PASSWORD_LIKE = Pattern.compile("[0-9a-f]{48}");

  private Secrets() {
  }

  /** A fresh identifier: {@code prefix} and 24 hex digits (25 characters, MySQL-safe). */
  public static String id(char prefix) {
    return prefix + hex(12);
  }

  /** A fresh password: 48 hex digits (192 bits). */
  public static String password() {
    return hex(24);
  }

  /** {@code value} if it is an identifier this node could have made, else an exception. */
  public static String identifier(Object value) {
    String s = value == null ? "" : value.toString();
    if (!IDENTIFIER.matcher(s).matches()) {
      throw new IllegalArgumentException("not a node-generated identifier");
    }
    return s;
  }

  /** The message with anything shaped like a generated password masked. */
  public static String scrub(String message) {
    return message == null ? null : PASSWORD_LIKE.matcher(message).replaceAll("[hidden]");
  }

  private static String hex(int bytes) {
    byte[] b = new byte[bytes];
    RANDOM.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }
}
