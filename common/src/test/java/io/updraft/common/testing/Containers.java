package io.updraft.common.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.updraft.common.container.OciRuntime;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import org.junit.jupiter.api.Assumptions;

/**
 * What container tests need (root, an OCI runtime, the stack) and where the host is reached
 * from a container. Such a test skips with the reason on a machine without them, and fails in
 * CI ({@code CI=true}), where they are all there and a skip would hide a regression.
 */
public final class Containers {

  /** The stack scripts/build-stack builds ({@code UPDRAFT_STACK_DIR} overrides it). */
  public static final Path STACK = Path.of(System.getenv().getOrDefault("UPDRAFT_STACK_DIR",
      "/var/lib/updraft/stacks/bookworm"));

  private Containers() {
  }

  /** Why containers cannot run here, or null. */
  public static String missing() throws IOException {
    if (!Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"))) {
      return "containers need root";
    }
    for (String tool : new String[] {"usr/bin/tini", "usr/bin/python3", "usr/bin/node"}) {
      if (!Files.isExecutable(STACK.resolve(tool))) {
        return "no stack with " + tool + " at " + STACK + " (scripts/build-stack)";
      }
    }
    if (OciRuntime.find("runc") == null && OciRuntime.find("crun") == null) {
      return "no OCI runtime (runc or crun)";
    }
    if (lanAddress() == null) {
      return "no LAN IPv4 address to reach the host at";
    }
    return null;
  }

  /** Skips the test without containers here; in CI, fails it. */
  public static void assume() throws IOException {
    String missing = missing();
    if ("true".equals(System.getenv("CI"))) {
      assertThat(missing).as("containers must run in CI").isNull();
    }
    Assumptions.assumeTrue(missing == null, missing);
  }

  /**
   * The host's first non-loopback IPv4 address (not a container's or Docker's veth), or null:
   * where routes name a DEA host, so the published-port (DNAT) path is the one tested.
   */
  public static String lanAddress() throws IOException {
    for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      if (!nic.isUp() || nic.isLoopback() || nic.getName().startsWith("udh")
          || nic.getName().startsWith("docker") || nic.getName().startsWith("veth")
          || nic.getName().startsWith("br-")) {
        continue;
      }
      for (InetAddress a : Collections.list(nic.getInetAddresses())) {
        if (a instanceof Inet4Address) {
          return a.getHostAddress();
        }
      }
    }
    return null;
  }
}
