package io.updraft.kato.agent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * The bearer token of the agent's HTTP API, in {@code $UPDRAFT_HOME/agent.token} (mode 0600):
 * whoever can read it (the operator, root) may drive the agent. Never logged.
 */
public final class AgentToken {

  private AgentToken() {
  }

  public static String loadOrCreate(Path file) throws IOException {
    if (Files.isRegularFile(file)) {
      return read(file);
    }
    byte[] bytes = new byte[32];
    new SecureRandom().nextBytes(bytes);
    String token = HexFormat.of().formatHex(bytes);
    ComponentLaunches.writeSecret(file, token + "\n");
    return token;
  }

  public static String read(Path file) throws IOException {
    return Files.readString(file, StandardCharsets.UTF_8).trim();
  }

  /** Constant-time check of an {@code Authorization} header. */
  static boolean matches(String header, String token) {
    if (header == null || !header.startsWith("Bearer ")) {
      return false;
    }
    return MessageDigest.isEqual(header.substring(7).trim().getBytes(StandardCharsets.UTF_8),
        token.getBytes(StandardCharsets.UTF_8));
  }

  static boolean ownerOnly(Path file) throws IOException {
    return Files.getPosixFilePermissions(file).equals(PosixFilePermissions.fromString(
        "rw-------"));
  }
}
