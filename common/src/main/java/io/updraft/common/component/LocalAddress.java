package io.updraft.common.component;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Collections;

/** Picks the address a component advertises when the config does not name one. */
public final class LocalAddress {

  private LocalAddress() {
  }

  /**
   * The configured address, else the first site-local IPv4 address of an interface that is
   * up, else any non-loopback IPv4, else loopback (a micro cloud on a laptop with no network).
   */
  public static String pick(String configured) {
    if (configured != null && !configured.isBlank()) {
      return configured;
    }
    String fallback = null;
    try {
      for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        if (!nic.isUp() || nic.isLoopback()) {
          continue;
        }
        for (InetAddress address : Collections.list(nic.getInetAddresses())) {
          if (address instanceof Inet4Address) {
            if (address.isSiteLocalAddress()) {
              return address.getHostAddress();
            }
            if (fallback == null && !address.isLinkLocalAddress()) {
              fallback = address.getHostAddress();
            }
          }
        }
      }
    } catch (SocketException e) {
      // no interfaces readable: fall through to loopback
    }
    return fallback != null ? fallback : "127.0.0.1";
  }
}
