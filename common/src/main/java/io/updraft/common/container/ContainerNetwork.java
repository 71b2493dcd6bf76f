package io.updraft.common.container;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The network of a host's containers: each container has its own network namespace joined to
 * the host by a point-to-point veth pair in a {@code /30} of the container subnet (slot
 * {@code n}: host end {@code .4n+1}, container {@code .4n+2}), its default route through the
 * host end. There is no shared bridge, so two containers have no link between them; every
 * packet between them crosses the host's forwarding path, where it is refused.
 *
 * <p>Host rules (iptables; the subnet's own chains {@code UPDRAFT-<subnet>-IN/-FWD/-NAT}, and
 * {@code UPDRAFT-ALLOW} and {@code UPDRAFT-DNAT} that hold per-container rules; set up
 * idempotently by {@link #prepareHost}, never flushed while in use):
 * <ul>
 *   <li>a container reaches nothing on the host itself (any of its addresses, any port) except
 *       the ports allowed for it (e.g. a data service's server on this host; per container,
 *       {@link #allowHostPorts});
 *   <li>containers never reach each other, of any subnet, also not through a published port;
 *       nor the link-local range (cloud metadata services);
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
  /** Host ends of every container's veth pair, of any subnet ({@code udh<slot>}). */
  public static final String VETH_PREFIX = "udh";
  private static final String ALLOW = "UPDRAFT-ALLOW";
  private static final String DNAT = "UPDRAFT-DNAT";

  private final String subnet;
  private final long base;
  private final int slots;
  /** This subnet's own chains, so users of different subnets on one host keep theirs. */
  private final String input;
  private final String forward;
  private final String masquerade;

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
    String chains = String.format("UPDRAFT-%08X-%d", base, prefix);
    this.input = chains + "-IN";
    this.forward = chains + "-FWD";
    this.masquerade = chains + "-NAT";
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
      return VETH_PREFIX + slot;
    }
  }

  public String subnet() {
    return subnet;
  }

  /** The subnet's own chains are this plus {@code -IN}, {@code -FWD}, {@code -NAT}. */
  String chainPrefix() {
    return input.substring(0, input.length() - "-IN".length());
  }

  public Attachment attachment(int slot) {
    long first = base + 4L * slot;
    return new Attachment(slot, dotted(first + 1), dotted(first + 2));
  }

  /**
   * Forwarding on, and the host rules in place: chains made where missing, their fixed
   * content written where it differs (the first start on a host, or an older version's), and
   * the jumps added once. Every DEA and stager on a host shares these; what differs per
   * component (the host ports its containers may reach) is per container, in
   * {@code UPDRAFT-ALLOW}, so one component's start never changes another's containers.
   */
  public void prepareHost() throws IOException {
    Files.writeString(Path.of("/proc/sys/net/ipv4/ip_forward"), "1");
    chain("filter", input);
    chain("filter", ALLOW);
    chain("filter", forward);
    chain("nat", DNAT);
    chain("nat", masquerade);
    ensure("filter", input, List.of(
        List.of("-m", "conntrack", "--ctstate", "RELATED,ESTABLISHED", "-j", "ACCEPT"),
        List.of("-j", ALLOW),
        List.of("-p", "tcp", "-j", "REJECT", "--reject-with", "tcp-reset"),
        List.of("-j", "REJECT", "--reject-with", "icmp-port-unreachable")));
    String veths = VETH_PREFIX + "+";
    ensure("filter", forward, List.of(
        // first: from a container to a container, of any subnet, also through another's
        // published port (DNAT), whichever user's chain sees the packet first
        List.of("-i", veths, "-o", veths, "-j", "REJECT", "--reject-with",
            "icmp-port-unreachable"),
        List.of("-d", subnet, "-m", "conntrack", "--ctstate", "RELATED,ESTABLISHED,DNAT", "-j",
            "ACCEPT"),
        List.of("-s", subnet, "-d", "169.254.0.0/16", "-j", "REJECT", "--reject-with",
            "icmp-port-unreachable"),
        List.of("-s", subnet, "-j", "ACCEPT"),
        List.of("-d", subnet, "-j", "REJECT", "--reject-with", "icmp-port-unreachable")));
    ensure("nat", masquerade, List.of(
        List.of("-s", subnet, "!", "-d", subnet, "-j", "MASQUERADE")));
    jump("filter", "INPUT", List.of("-s", subnet, "-j", input));
    jump("filter", "FORWARD", List.of("-s", subnet, "-j", forward));
    jump("filter", "FORWARD", List.of("-d", subnet, "-j", forward));
    jump("nat", "POSTROUTING", List.of("-s", subnet, "-j", masquerade));
    jump("nat", "PREROUTING", List.of("-m", "addrtype", "--dst-type", "LOCAL", "-j", DNAT));
    jump("nat", "OUTPUT", List.of("-m", "addrtype", "--dst-type", "LOCAL", "-j", DNAT));
  }

  /** Lets the container connect to these TCP ports of the host (its own rules). */
  public void allowHostPorts(Attachment a, Collection<Integer> ports) throws IOException {
    for (int port : new TreeSet<>(ports)) {
      iptables("filter", "-A", ALLOW, "-s", a.containerAddress() + "/32", "-p", "tcp",
          "--dport", String.valueOf(port), "-m", "comment", "--comment", a.netnsName(), "-j",
          "ACCEPT");
    }
  }

  /** Whether the container's host-port rules are in place (after a restart). */
  public boolean allowed(Attachment a, Collection<Integer> ports) {
    List<String> mine = rules("filter", ALLOW).stream()
        .filter(r -> r.contains("--comment " + a.netnsName() + " ")).toList();
    return ports.stream().allMatch(p -> mine.stream().anyMatch(r -> r.contains("--dport " + p
        + " ")));
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

  /** Removes the slot's rules (ports, host access) and its namespace (and veth pair). */
  public void detach(Attachment a) {
    for (List<String> chain : List.of(List.of("nat", DNAT), List.of("filter", ALLOW))) {
      for (String rule : rules(chain.get(0), chain.get(1))) {
        if (rule.contains("--comment " + a.netnsName() + " ")) {
          List<String> del = new ArrayList<>(List.of("iptables", "-w", "-t", chain.get(0),
              "-D"));
          del.addAll(List.of(rule.substring("-A ".length()).strip().split(" ")));
          OciRuntime.exec(del);
        }
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

  /** Writes the chain's rules unless it holds exactly these already. */
  private static void ensure(String table, String chain, List<List<String>> wanted)
      throws IOException {
    List<String> have = rules(table, chain).stream().map(String::strip).toList();
    List<String> want = wanted.stream().map(r -> "-A " + chain + " " + String.join(" ", r))
        .toList();
    if (normalize(have).equals(normalize(want))) {
      return;
    }
    iptables(table, "-F", chain);
    for (List<String> rule : wanted) {
      List<String> args = new ArrayList<>(List.of("-A", chain));
      args.addAll(rule);
      iptables(table, args.toArray(String[]::new));
    }
  }

  /** iptables prints matches it adds implicitly ({@code -m tcp}): compare without them. */
  private static List<String> normalize(List<String> rules) {
    return rules.stream().map(r -> r.replace(" -m tcp", "").replace(" -m udp", "")).toList();
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
