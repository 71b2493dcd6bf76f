package io.updraft.kato.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cluster across a routed (layer 3) network, as on Cloudscaling's OCS: network namespaces
 * are the hosts, the core on 10.77.1.0/24, a DEA node and a stager node on 10.77.2.0/24, and a
 * router namespace forwarding between the subnets. The nodes are set up with the built kato jar
 * exactly as an operator does ({@code kato setup core}, {@code kato attach -e ROLE CORE_IP});
 * an app pushed with the updraft client runs on the remote DEA and answers through the core's
 * router; a {@code kato config} change reaches the remote node; {@code kato restart} restarts a
 * remote component.
 *
 * <p>Needs root and iproute2 ({@code ip netns}); skipped with a message otherwise.
 */
class MultiNodeIT {

  private static final Path SOURCE_TREE = Path.of("").toAbsolutePath().getParent();
  private static final Path KATO_JAR = Path.of("target", "updraft-kato.jar").toAbsolutePath();
  private static final Path CLIENT_JAR = SOURCE_TREE.resolve("client/target/updraft-client.jar");
  private static final String CORE_IP = "10.77.1.2";
  private static final String DEA_IP = "10.77.2.2";
  private static final String STAGER_IP = "10.77.2.3";
  private static final ObjectMapper JSON = new ObjectMapper();

  private static final String TAG = Integer.toHexString(ThreadLocalRandom.current()
      .nextInt(0x1000, 0xffff));
  private static final String CORE = "ukc" + TAG;
  private static final String ROUTER = "ukr" + TAG;
  private static final String DEA = "ukd" + TAG;
  private static final String STAGER = "uks" + TAG;
  private static boolean networkUp;

  @TempDir
  static Path dir;

  private static Path home(String ns) {
    return dir.resolve(ns);
  }

  /** A command's status and output. */
  record Run(int status, String out) {
  }

  private static Run sh(List<String> command, Map<String, String> env, Duration timeout)
      throws IOException, InterruptedException {
    Path out = Files.createTempFile(dir, "out", ".txt");
    ProcessBuilder b = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(out.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    b.environment().putAll(env);
    Process p = b.start();
    if (!p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return new Run(-1, Files.readString(out) + "\n(timed out)");
    }
    return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
  }

  private static Run sh(String... command) throws IOException, InterruptedException {
    return sh(List.of(command), Map.of(), Duration.ofSeconds(30));
  }

  private static void ok(String... command) throws IOException, InterruptedException {
    Run r = sh(command);
    assertThat(r.status()).as(String.join(" ", command) + ": " + r.out()).isZero();
  }

  /** {@code kato ARGS} on the node that is namespace {@code ns}. */
  private static Run kato(String ns, String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns,
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-XX:TieredStopAtLevel=1", "-jar", KATO_JAR.toString()));
    cmd.addAll(List.of(args));
    cmd.addAll(List.of("--home", home(ns).toString()));
    return sh(cmd, Map.of(), Duration.ofSeconds(180));
  }

  private static Run updraft(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", CORE,
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
        CLIENT_JAR.toString()));
    cmd.addAll(List.of(args));
    return sh(cmd, Map.of("XDG_CONFIG_HOME", dir.resolve("client").toString()),
        Duration.ofSeconds(240));
  }

  @BeforeAll
  static void network() throws Exception {
    boolean root = "0".equals(sh("id", "-u").out().trim());
    Assumptions.assumeTrue(root, "MultiNodeIT needs root (ip netns); skipped");
    Run probe;
    try {
      probe = sh("ip", "netns", "add", CORE);
    } catch (IOException e) {
      probe = new Run(-1, "no 'ip' command: " + e.getMessage());
    }
    Assumptions.assumeTrue(probe.status() == 0,
        "MultiNodeIT needs network namespaces (ip netns add failed: " + probe.out().trim()
            + "); skipped");
    networkUp = true;
    for (String ns : List.of(ROUTER, DEA, STAGER)) {
      ok("ip", "netns", "add", ns);
    }
    for (String ns : List.of(CORE, ROUTER, DEA, STAGER)) {
      ok("ip", "-n", ns, "link", "set", "lo", "up");
    }
    // core <-> router on 10.77.1.0/24
    link(CORE, "c" + TAG, CORE_IP + "/24", "10.77.1.1", "rc" + TAG, null);
    ok("ip", "-n", ROUTER, "addr", "add", "10.77.1.1/24", "dev", "rc" + TAG);
    // the DEA and stager hosts share 10.77.2.0/24 behind a bridge in the router
    ok("ip", "-n", ROUTER, "link", "add", "br" + TAG, "type", "bridge");
    ok("ip", "-n", ROUTER, "addr", "add", "10.77.2.1/24", "dev", "br" + TAG);
    ok("ip", "-n", ROUTER, "link", "set", "br" + TAG, "up");
    link(DEA, "d" + TAG, DEA_IP + "/24", "10.77.2.1", "rd" + TAG, "br" + TAG);
    link(STAGER, "s" + TAG, STAGER_IP + "/24", "10.77.2.1", "rs" + TAG, "br" + TAG);
    ok("ip", "netns", "exec", ROUTER, "sysctl", "-qw", "net.ipv4.ip_forward=1");
    for (String ns : List.of(CORE, DEA, STAGER)) {
      Files.createDirectories(home(ns));
    }
  }

  private static void link(String ns, String name, String cidr, String gateway, String peer,
      String bridge) throws Exception {
    ok("ip", "link", "add", name, "type", "veth", "peer", "name", peer);
    ok("ip", "link", "set", name, "netns", ns);
    ok("ip", "link", "set", peer, "netns", ROUTER);
    ok("ip", "-n", ns, "addr", "add", cidr, "dev", name);
    ok("ip", "-n", ns, "link", "set", name, "up");
    ok("ip", "-n", ns, "route", "add", "default", "via", gateway);
    if (bridge != null) {
      ok("ip", "-n", ROUTER, "link", "set", peer, "master", bridge);
    }
    ok("ip", "-n", ROUTER, "link", "set", peer, "up");
  }

  @AfterAll
  static void tearDown() throws Exception {
    if (!networkUp) {
      return;
    }
    for (String ns : List.of(DEA, STAGER, CORE)) {
      if (Files.exists(home(ns).resolve("node.yml"))) {
        kato(ns, "agent", "--stop");
      }
    }
    for (String ns : List.of(CORE, ROUTER, DEA, STAGER)) {
      sh("ip", "netns", "del", ns);
    }
  }

  /** Processes of the static app ({@code python3 -m http.server}) in a node's namespace. */
  private static List<Long> appProcessesIn(String ns) throws Exception {
    List<Long> found = new ArrayList<>();
    for (String line : sh("ip", "netns", "pids", ns).out().split("\\s+")) {
      if (line.isBlank()) {
        continue;
      }
      long pid = Long.parseLong(line.trim());
      ProcessHandle.of(pid).flatMap(h -> h.info().commandLine())
          .filter(c -> c.contains("http.server")).ifPresent(c -> found.add(pid));
    }
    return found;
  }

  @Test
  void aClusterAcrossTwoRoutedSubnets() throws Exception {
    Run setup = kato(CORE, "setup", "core", "api." + CORE_IP + ".xip.io", "--ip", CORE_IP,
        "--jars", SOURCE_TREE.toString());
    assertThat(setup.status()).as(setup.out()).isZero();
    assertThat(setup.out()).contains("is the core of its cluster");

    Run dea = kato(DEA, "attach", "-e", "dea", CORE_IP, "--jars", SOURCE_TREE.toString());
    assertThat(dea.status()).as(dea.out()).isZero();
    assertThat(dea.out()).contains("Attached", "(" + DEA_IP + ")");
    Run stager = kato(STAGER, "attach", "-e", "stager", CORE_IP, "--jars",
        SOURCE_TREE.toString());
    assertThat(stager.status()).as(stager.out()).isZero();

    assertThat(kato(CORE, "rename", "core-1").status()).isZero();
    assertThat(kato(DEA, "rename", "dea-1").status()).isZero();
    assertThat(kato(STAGER, "node", "rename", "stager-1").status()).isZero();

    // every process of every node comes up
    await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1)).until(() -> {
      Run s = kato(CORE, "status", "--all", "--json");
      if (s.status() != 0) {
        return false;
      }
      JsonNode nodes = JSON.readTree(s.out()).path("nodes");
      int running = 0;
      for (JsonNode n : nodes) {
        for (JsonNode p : n.path("processes")) {
          running += "RUNNING".equals(p.path("state").asText()) ? 1 : 0;
        }
      }
      return nodes.size() == 3 && running == 6;
    });
    Run nodes = kato(CORE, "node", "list");
    assertThat(nodes.out()).contains("core-1", "dea-1", "stager-1")
        .containsPattern(CORE_IP.replace(".", "\\.") + "\\s+up\\s+core")
        .containsPattern(DEA_IP.replace(".", "\\.") + "\\s+up\\s+dea")
        .containsPattern(STAGER_IP.replace(".", "\\.") + "\\s+up\\s+stager");
    System.out.println("$ kato node list\n" + nodes.out());
    System.out.println("$ kato status --all\n" + kato(CORE, "status", "--all").out());

    // an app pushed to the core lands on the remote DEA and answers through the core's router
    String admin = JSON.readTree(Files.readString(home(CORE).resolve(
        "cluster/updraft.config/cluster.json"))).path("admin").path("password").asText();
    assertThat(updraft("target", "http://" + CORE_IP + ":9022").status()).isZero();
    Run login = updraft("login", "admin@updraft.local", "--password", admin);
    assertThat(login.status()).as(login.out()).isZero();
    Path site = Files.createDirectories(dir.resolve("site"));
    Files.writeString(site.resolve("index.html"), "<h1>across the router</h1>");
    Run push = updraft("push", "hello", "--path", site.toString(), "--memory", "64M");
    assertThat(push.status()).as(push.out()).isZero();
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).untilAsserted(
        () -> assertThat(sh("ip", "netns", "exec", STAGER, "curl", "-s", "-m", "5", "-H",
            "Host: hello." + CORE_IP + ".xip.io", "http://" + CORE_IP + ":8080/").out())
            .contains("across the router"));
    assertThat(appProcessesIn(DEA)).as("the app's process runs in the DEA node's namespace")
        .isNotEmpty();
    assertThat(appProcessesIn(CORE)).isEmpty();

    // config changed on the core reaches the remote node: live, and at its next restart
    Run live = kato(CORE, "config", "set", "dea", "log_level", "DEBUG");
    assertThat(live.out()).contains("applied live");
    await().atMost(Duration.ofSeconds(20)).until(() -> Files.readString(home(DEA)
        .resolve("logs/dea.log")).contains("config.applied key=log_level value=DEBUG"));
    Run set = kato(CORE, "config", "--json", "health_manager", "enable_autoscaling", "true");
    assertThat(set.status()).as(set.out()).isZero();
    assertThat(kato(CORE, "config", "--json", "dea", "index", "3").out())
        .contains("takes effect at the next 'kato restart dea'");
    System.out.println("$ kato config get health_manager\n"
        + kato(CORE, "config", "get", "health_manager").out());

    // kato restart on the remote node: a new dea process, which read the new config
    long before = JSON.readTree(kato(DEA, "status", "--json").out()).path("nodes").get(0)
        .path("processes").get(0).path("pid").asLong();
    Run restart = kato(DEA, "restart", "dea");
    assertThat(restart.status()).as(restart.out()).isZero();
    long after = JSON.readTree(kato(DEA, "status", "--json").out()).path("nodes").get(0)
        .path("processes").get(0).path("pid").asLong();
    assertThat(after).isNotEqualTo(before);
    assertThat(Files.readString(home(DEA).resolve("config/dea.yml"))).contains("index: 3");
    // the app comes back (the DEA re-adopts or the health manager restarts it)
    await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1)).untilAsserted(
        () -> assertThat(sh("ip", "netns", "exec", CORE, "curl", "-s", "-m", "5", "-H",
            "Host: hello." + CORE_IP + ".xip.io", "http://" + CORE_IP + ":8080/").out())
            .contains("across the router"));
  }
}
