package io.updraft.common.container;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Files a bundle gives its container beside the stack ({@code /etc/hosts},
 * {@code /etc/resolv.conf}, ...), and where a component keeps its runtime's state. Blocking.
 */
public final class BundleFiles {

  private BundleFiles() {
  }

  /** The runtime's state directory among a component's bundles. */
  public static Path stateRoot(Path bundles) {
    return bundles.resolve(".runtime");
  }

  /** Writes {@code bundle/name} (0644: the container's unprivileged user reads it). */
  public static Path write(Path bundle, String name, String content) throws IOException {
    Path f = bundle.resolve(name);
    Files.writeString(f, content, StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
    return f;
  }

  /** The host's resolvers, less loopback ones (a container's own loopback answers nothing). */
  public static String resolvConf() {
    return resolvConf(Path.of("/etc/resolv.conf"));
  }

  static String resolvConf(Path file) {
    StringBuilder sb = new StringBuilder();
    try {
      for (String line : Files.readAllLines(file)) {
        String l = line.strip();
        if (l.startsWith("nameserver")) {
          String server = l.substring("nameserver".length()).strip();
          if (server.startsWith("127.") || server.equals("::1")) {
            continue;
          }
        }
        if (l.startsWith("nameserver") || l.startsWith("search") || l.startsWith("options")) {
          sb.append(l).append('\n');
        }
      }
    } catch (IOException e) {
      // no resolver configured: names will not resolve in the container
    }
    return sb.toString();
  }
}
