package io.updraft.stager.isolation;

import io.updraft.common.container.ContainerNetwork;
import io.updraft.common.container.OciRuntime;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The network of build containers: common's {@link ContainerNetwork} gives each step its own
 * namespace and {@code /30} ({@link #attach}, {@link #detach}; slots are claimed host-wide by
 * namespace name, so a DEA and a stager on one host never take the same one), and this class
 * sets the host rules for the stager's subnet in chains of that subnet's own.
 *
 * <p>Why not {@link ContainerNetwork#prepareHost}: it flushes and refills fixed chains
 * ({@code UPDRAFT-INPUT}, {@code UPDRAFT-FORWARD}, {@code UPDRAFT-POSTROUTING}) with the rules
 * of one subnet, so a stager calling it on a DEA's host would drop the DEA's isolation,
 * allowed ports and NAT (and the DEA's next start would drop the stager's). Here the chains
 * are named after the subnet ({@code UPDRAFT-0AFD0000-16-IN}, {@code -FWD}, {@code -NAT}), so
 * any number of users with different subnets keep their own.
 *
 * <p>A build step's traffic:
 * <ul>
 *   <li>nothing on this host (any of its addresses, any port) except
 *       {@code allowed_host_ports}: TCP is reset, the rest refused;
 *   <li>no container on this host, of any subnet, directly or through a port a DEA published
 *       on the host (the packet would leave by a container's host-side veth, {@code udh<n>});
 *   <li>not the link-local range (cloud metadata services);
 *   <li>everything else goes out, masqueraded behind the host's address (registries);
 *   <li>nothing may open a connection to a build container.
 * </ul>
 * Blocking.
 */
public final class BuildNetwork {

  /** Host ends of container veth pairs, as {@link ContainerNetwork#attach} names them. */
  private static final String CONTAINER_VETHS = "udh+";

  private final ContainerNetwork network;
  private final String in;
  private final String fwd;
  private final String nat;

  public BuildNetwork(String subnet) {
    this.network = new ContainerNetwork(subnet);
    String prefix = chainPrefix(network.subnet());
    this.in = prefix + "-IN";
    this.fwd = prefix + "-FWD";
    this.nat = prefix + "-NAT";
  }

  public String subnet() {
    return network.subnet();
  }

  /** {@code UPDRAFT-<base address, 8 hex>-<prefix length>}: short enough for iptables. */
  static String chainPrefix(String subnet) {
    String[] parts = subnet.split("/");
    long base = 0;
    for (String octet : parts[0].split("\\.")) {
      base = base << 8 | Integer.parseInt(octet);
    }
    return String.format("UPDRAFT-%08X-%s", base, parts[1]);
  }

  /** Forwarding on and the subnet's rules in place (chains made or refreshed, jumps first). */
  public void prepareHost(Set<Integer> allowedHostPorts) throws IOException {
    Files.writeString(Path.of("/proc/sys/net/ipv4/ip_forward"), "1");
    String subnet = network.subnet();
    chain("filter", in);
    chain("filter", fwd);
    chain("nat", nat);
    iptables("filter", "-F", in);
    iptables("filter", "-A", in, "-m", "conntrack", "--ctstate", "ESTABLISHED,RELATED", "-j",
        "ACCEPT");
    for (int port : allowedHostPorts.stream().sorted().toList()) {
      iptables("filter", "-A", in, "-p", "tcp", "--dport", String.valueOf(port), "-j",
          "ACCEPT");
    }
    iptables("filter", "-A", in, "-p", "tcp", "-j", "REJECT", "--reject-with", "tcp-reset");
    iptables("filter", "-A", in, "-j", "REJECT", "--reject-with", "icmp-port-unreachable");
    iptables("filter", "-F", fwd);
    iptables("filter", "-A", fwd, "-d", subnet, "-m", "conntrack", "--ctstate",
        "ESTABLISHED,RELATED", "-j", "ACCEPT");
    iptables("filter", "-A", fwd, "-d", subnet, "-j", "REJECT");
    iptables("filter", "-A", fwd, "-s", subnet, "-o", CONTAINER_VETHS, "-j", "REJECT");
    iptables("filter", "-A", fwd, "-s", subnet, "-d", "169.254.0.0/16", "-j", "REJECT");
    iptables("filter", "-A", fwd, "-s", subnet, "-j", "ACCEPT");
    iptables("nat", "-F", nat);
    iptables("nat", "-A", nat, "-s", subnet, "!", "-d", subnet, "-j", "MASQUERADE");
    first("filter", "INPUT", List.of("-s", subnet, "-j", in));
    // first in FORWARD: an ACCEPT of another user's chain before ours would let a build step
    // reach that user's containers
    first("filter", "FORWARD", List.of("-d", subnet, "-j", fwd));
    first("filter", "FORWARD", List.of("-s", subnet, "-j", fwd));
    first("nat", "POSTROUTING", List.of("-s", subnet, "-j", nat));
  }

  /** A free slot, claimed and connected (see {@link ContainerNetwork#attach}). */
  public ContainerNetwork.Attachment attach() throws IOException {
    return network.attach();
  }

  /** The slot's place in the subnet. */
  public ContainerNetwork.Attachment attachment(int slot) {
    return network.attachment(slot);
  }

  /** Gives the slot back (its namespace, and with it the veth pair). */
  public void detach(ContainerNetwork.Attachment a) {
    network.detach(a);
  }

  /** Whether the slot's namespace is still there. */
  public boolean exists(ContainerNetwork.Attachment a) {
    return network.exists(a);
  }

  private static void chain(String table, String chain) {
    OciRuntime.exec(List.of("iptables", "-w", "-t", table, "-N", chain)); // exists: fine
  }

  /** Puts the jump at the head of {@code from}, removing copies of it further down. */
  private static void first(String table, String from, List<String> rule) throws IOException {
    for (int i = 0; i < 16; i++) {
      List<String> delete = new ArrayList<>(List.of("iptables", "-w", "-t", table, "-D", from));
      delete.addAll(rule);
      if (OciRuntime.exec(delete).exitCode() != 0) {
        break;
      }
    }
    List<String> insert = new ArrayList<>(List.of("-I", from, "1"));
    insert.addAll(rule);
    iptables(table, insert.toArray(String[]::new));
  }

  private static void iptables(String table, String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of("iptables", "-w", "-t", table));
    command.addAll(List.of(args));
    OciRuntime.Result r = OciRuntime.exec(command);
    if (r.exitCode() != 0) {
      throw new IOException("iptables " + String.join(" ", args) + ": " + r.output());
    }
  }
}
