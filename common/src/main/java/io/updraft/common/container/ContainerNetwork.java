package io.updraft.common.container;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The network of a host's containers: each container has its own network namespace joined to
 * the host by a point-to-point veth pair in a {@code /30} of the container subnet (slot
 * {@code n}: host end {@code .4n+1}, container {@code .4n+2}), its default route through the
 * host end. There is no shared bridge, so two containers have no link between them; every
 * packet between them crosses the host's forwarding path, where it is refused.
 *
 * <p>Host rules (iptables, chains {@code UPDRAFT-*}, set up idempotently by {@link #prepareHost}):
 * <ul>
 *   <li>a container reaches nothing on the host itself (any of its addresses, any port) except
 *       the ports listed as allowed (e.g. a data service's server on this host);
 *   <li>containers never reach each other, nor the link-local range (cloud metadata services);
 *   <li>everything else goes out, masqueraded behind the host's address;
 *   <li>a container's published port {@code P} is reached at every local address of the host
 *       on port {@code P} (DNAT, also for connections made on the host itself), as warden did.
 * </ul>
 * Slots are claimed host-wide by creating the namespace {@code updraft-s<n>}, which fails when
 * it exists, so several DEAs or stagers on one host never collide. Blocking.
 */
public final class ContainerNetwork {

  private static final Pattern CIDR = Pattern.compile("(\\d+)\\.(\\d+)\\.(\\d+)\\.(\\d+)/(\\d+)");
  private static final String NETNS_PREFIX = "updraft-s";
  private static final Path NETNS_DIR = Path.of("/run/netns");
  private static final String INPUT = "UPDRAFT-INPUT";
  private static final String FORWARD = "UPDRAFT-FORWARD";
  private static final String DNAT = "UPDRAFT-DNAT";
  private static final String POSTROUTING = "UPDRAFT-POSTROUTING";

  private final String subnet;
  private final long base;
  private final int slots;

  /** {@code subnet}: an IPv4 CIDR between /8 and /28, e.g. {@code 10.254.0.0/16}. */
  public ContainerNetwork(String subnet) {
    Matcher m = CIDR.matcher(subnet);
    if (!m.matches()) {
      throw new IllegalArgumentException("not an IPv4 CIDR: " + subnet);
    }
    long addr = 0;
    for (int i = 1; i <= 4; i++) {
      int octet = Integer.parseInt(m.group(i));
      if (octet > 255) {
        throw new IllegalArgumentException("not an IPv4 CIDR: " + subnet);
      }
      addr = addr << 8 | octet;
    }
    int prefix = Integer.parseInt(m.group(5));
    if (prefix < 8 || prefix > 28) {
      throw new IllegalArgumentException("prefix must be /8 to /28: " + subnet);
    }
    long mask = 0xffffffffL << (32 - prefix) & 0xffffffffL;
    this.base = addr & mask;
    this.slots = (int) Math.min(1L << (32 - prefix - 2), 1 << 20);
    this.subnet = dotted(base) + "/" + prefix;
  }

  /** A container's place in the network. */
  public record Attachment(int slot, String hostAddress, String containerAddress) {
    public String netnsName() {
      return NETNS_PREFIX + slot;
    }

    public Path netnsPath() {
      return NETNS_DIR.resolve(netnsName());
    }

    String hostVeth() {
      return "udh" + slot;
    }
  }

  public String subnet() {
    return subnet;
  }

  public Attachment attachment(int slot) {
    long first = base + 4L * slot;
    return new Attachment(slot, dotted(first + 1), dotted(first + 2));
  }

  /**
   * Forwarding on, and the host rules in place (chains made or refreshed, jumps added once).
   *
   * @param allowedHostPorts TCP ports of this host that containers may connect to
   */
  public void prepareHost(Set<Integer> allowedHostPorts) throws IOException {
    Files.writeString(Path.of("/proc/sys/net/ipv4/ip_forward"), "1");
    chain("filter", INPUT);
    chain("filter", FORWARD);
    chain("nat", DNAT);
    chain("nat", POSTROUTING);
    flush("filter", INPUT);
    iptables("filter", "-A", INPUT, "-m", "conntrack", "--ctstate", "ESTABLISHED,RELATED",
        "-j", "ACCEPT");
    for (int port : allowedHostPorts.stream().sorted().toList()) {
      iptables("filter", "-A", INPUT, "-p", "tcp", "--dport", String.valueOf(port), "-j",
          "ACCEPT");
    }
    iptables("filter", "-A", INPUT, "-p", "tcp", "-j", "REJECT", "--reject-with", "tcp-reset");
    iptables("filter", "-A", INPUT, "-j", "REJECT", "--reject-with", "icmp-port-unreachable");
    flush("filter", FORWARD);
    // first: also a container's connection to another's published port (DNAT) is refused
    iptables("filter", "-A", FORWARD, "-s", subnet, "-d", subnet, "-j", "REJECT");
    iptables("filter", "-A", FORWARD, "-d", subnet, "-m", "conntrack", "--ctstate",
        "ESTABLISHED,RELATED,DNAT", "-j", "ACCEPT");
    iptables("filter", "-A", FORWARD, "-s", subnet, "-d", "169.254.0.0/16", "-j", "REJECT");
    iptables("filter", "-A", FORWARD, "-s", subnet, "-j", "ACCEPT");
    iptables("filter", "-A", FORWARD, "-d", subnet, "-j", "REJECT");
    flush("nat", POSTROUTING);
    iptables("nat", "-A", POSTROUTING, "-s", subnet, "!", "-d", subnet, "-j", "MASQUERADE");
    jump("filter", "INPUT", List.of("-s", subnet, "-j", INPUT));
    jump("filter", "FORWARD", List.of("-j", FORWARD));
    jump("nat", "POSTROUTING", List.of("-j", POSTROUTING));
    jump("nat", "PREROUTING", List.of("-m", "addrtype", "--dst-type", "LOCAL", "-j", DNAT));
    jump("nat", "OUTPUT", List.of("-m", "addrtype", "--dst-type", "LOCAL", "-j", DNAT));
  }

  /**
   * Claims a free slot (its namespace) and connects it: veth pair, addresses, routes,
   * loopback up. On failure nothing is left behind.
   */
  public Attachment attach() throws IOException {
    for (int slot = 0; slot < slots; slot++) {
      if (Files.exists(NETNS_DIR.resolve(NETNS_PREFIX + slot))) {
        continue;
      }
      Attachment a = attachment(slot);
      OciRuntime.Result claim = OciRuntime.exec(List.of("ip", "netns", "add", a.netnsName()));
      if (claim.exitCode() != 0) {
        continue; // taken meanwhile by another DEA or stager on this host
      }
      try {
        ip(List.of(), "link add " + a.hostVeth() + " type veth peer name eth0 netns "
            + a.netnsName() + "\n"
            + "addr add " + a.hostAddress() + "/30 dev " + a.hostVeth() + "\n"
            + "link set " + a.hostVeth() + " up\n");
        ip(List.of("-n", a.netnsName()), "link set lo up\n"
            + "addr add " + a.containerAddress() + "/30 dev eth0\n"
            + "link set eth0 up\n"
            + "route add default via " + a.hostAddress() + "\n");
        return a;
      } catch (IOException e) {
        detach(a);
        throw e;
      }
    }
    throw new IOException("no free container network slot in " + subnet);
  }

  /** Publishes the container's {@code port} on the host's addresses, same port number. */
  public void publish(Attachment a, int port) throws IOException {
    iptables("nat", "-A", DNAT, publishRule(a, port));
  }

  private static String[] publishRule(Attachment a, int port) {
    return new String[] {"-p", "tcp", "--dport", String.valueOf(port), "-m", "comment",
        "--comment", a.netnsName(), "-j", "DNAT", "--to-destination",
        a.containerAddress() + ":" + port};
  }

  /** Removes the slot's published ports and its namespace (and with it the veth pair). */
  public void detach(Attachment a) {
    for (String rule : rules("nat", DNAT)) {
      if (rule.contains("--comment " + a.netnsName() + " ")) {
        List<String> del = new ArrayList<>(List.of("iptables", "-w", "-t", "nat", "-D"));
        del.addAll(List.of(rule.substring("-A ".length()).split(" ")));
        OciRuntime.exec(del);
      }
    }
    OciRuntime.exec(List.of("ip", "netns", "del", a.netnsName()));
  }

  /** Whether the slot's namespace exists (after a restart: is it still connected?). */
  public boolean exists(Attachment a) {
    return Files.exists(a.netnsPath());
  }

  /** Whether the slot's published port is in place. */
  public boolean published(Attachment a, int port) {
    return rules("nat", DNAT).stream().anyMatch(r -> r.contains("--comment " + a.netnsName()
        + " ") && r.contains("--dport " + port + " "));
  }

  private static List<String> rules(String table, String chain) {
    OciRuntime.Result r = OciRuntime.exec(List.of("iptables", "-w", "-t", table, "-S", chain));
    List<String> rules = new ArrayList<>();
    if (r.exitCode() == 0) {
      for (String line : r.output().split("\n")) {
        if (line.startsWith("-A ")) {
          rules.add(line + " ");
        }
      }
    }
    return rules;
  }

  private static void ip(List<String> prefix, String batch) throws IOException {
    List<String> command = new ArrayList<>(List.of("ip"));
    command.addAll(prefix);
    command.addAll(List.of("-batch", "-"));
    OciRuntime.Result r = OciRuntime.exec(command, batch);
    if (r.exitCode() != 0) {
      throw new IOException("ip: " + r.output());
    }
  }

  private static void chain(String table, String chain) {
    OciRuntime.exec(List.of("iptables", "-w", "-t", table, "-N", chain)); // exists: fine
  }

  private static void flush(String table, String chain) throws IOException {
    iptables(table, "-F", chain);
  }

  private static void jump(String table, String from, List<String> rule) throws IOException {
    List<String> check = new ArrayList<>(List.of("iptables", "-w", "-t", table, "-C", from));
    check.addAll(rule);
    if (OciRuntime.exec(check).exitCode() != 0) {
      List<String> insert = new ArrayList<>(List.of("-I", from, "1"));
      insert.addAll(rule);
      iptables(table, insert.toArray(String[]::new));
    }
  }

  private static void iptables(String table, String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of("iptables", "-w", "-t", table));
    command.addAll(List.of(args));
    OciRuntime.Result r = OciRuntime.exec(command);
    if (r.exitCode() != 0) {
      throw new IOException("iptables " + String.join(" ", args) + ": " + r.output());
    }
  }

  private static void iptables(String table, String op, String chain, String[] rule)
      throws IOException {
    List<String> args = new ArrayList<>(List.of(op, chain));
    args.addAll(List.of(rule));
    iptables(table, args.toArray(String[]::new));
  }

  private static String dotted(long a) {
    return (a >> 24 & 255) + "." + (a >> 16 & 255) + "." + (a >> 8 & 255) + "." + (a & 255);
  }
}
