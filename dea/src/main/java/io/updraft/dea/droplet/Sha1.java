package io.updraft.dea.droplet;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** SHA-1 of droplet files (the start message's {@code sha1} and the cache key). */
public final class Sha1 {

  private static final Pattern HEX40 = Pattern.compile("[0-9a-f]{40}");

  private Sha1() {
  }

  /** A sha1 as the wire carries it: 40 lowercase hex; also safe as a file name. */
  public static boolean isValid(String sha1) {
    return sha1 != null && HEX40.matcher(sha1).matches();
  }

  public static String of(Path file) throws IOException {
    MessageDigest digest = digest();
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buf = new byte[64 * 1024];
      int n;
      while ((n = in.read(buf)) > 0) {
        digest.update(buf, 0, n);
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  public static String of(byte[] bytes) {
    return HexFormat.of().formatHex(digest().digest(bytes));
  }

  private static MessageDigest digest() {
    try {
      return MessageDigest.getInstance("SHA-1");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is required of every JVM", e);
    }
  }
}
