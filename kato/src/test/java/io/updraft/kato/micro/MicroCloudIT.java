package io.updraft.kato.micro;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.Subscription;
import io.updraft.common.protocol.component.ComponentDiscover;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The micro cloud as an operator runs it: {@code kato micro up} from the built jar, every
 * component answering on the bus, everything stopped on SIGTERM, the same cloud on restart.
 */
class MicroCloudIT {

  private static final Path KATO_JAR = Path.of("target", "updraft-kato.jar").toAbsolutePath();
  /** Where the component jars are: the source tree, or {@code -Dupdraft.micro.jars=DIR}. */
  private static final Path SOURCE_TREE = Path.of(System.getProperty("updraft.micro.jars",
      Path.of("").toAbsolutePath().getParent().toString()));

  @TempDir
  Path home;

  private final int natsPort = io.updraft.common.testing.NatsServer.freePort();
  private final int httpPort = io.updraft.common.testing.NatsServer.freePort();
  private Process micro;
  private final StringBuffer output = new StringBuffer();

  @AfterEach
  void tearDown() throws InterruptedException {
    if (micro != null && micro.isAlive()) {
      micro.destroy();
      micro.waitFor(30, TimeUnit.SECONDS);
    }
  }

  private void startMicro() throws IOException {
    output.setLength(0);
    ProcessBuilder builder = new ProcessBuilder(MicroCloud.javaBinary(), "-jar",
        KATO_JAR.toString(), "micro", "up", "--jars", SOURCE_TREE.toString(),
        "--nats-port", String.valueOf(natsPort), "--http-port", String.valueOf(httpPort))
        .redirectErrorStream(true);
    builder.environment().put("UPDRAFT_HOME", home.toString());
    micro = builder.start();
    Process started = micro;
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(
          started.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = in.readLine()) != null) {
          output.append(line).append('\n');
        }
      } catch (IOException e) {
        // process ended
      }
    });
    reader.setDaemon(true);
    reader.start();
    await().atMost(Duration.ofSeconds(150)).pollInterval(Duration.ofMillis(200))
        .until(() -> output.toString().contains("Stop: Ctrl-C")
            || !started.isAlive());
    assertThat(output.toString()).as("micro cloud output").contains("Updraft micro cloud is up.");
  }

  private JsonNode settings() throws IOException {
    return new YAMLMapper().readTree(home.resolve("micro/micro.yml").toFile());
  }

  private List<ComponentDiscover> discover(JsonNode settings) throws Exception {
    Options options = new Options.Builder()
        .server("nats://127.0.0.1:" + settings.get("nats_port").asInt())
        .userInfo(settings.get("nats_user").asText().toCharArray(),
            settings.get("nats_password").asText().toCharArray())
        .build();
    try (Connection nats = Nats.connect(options)) {
      String inbox = nats.createInbox();
      Subscription sub = nats.subscribe(inbox);
      nats.publish(io.updraft.common.protocol.Subjects.COMPONENT_DISCOVER, inbox, "{}".getBytes(StandardCharsets.UTF_8));
      List<ComponentDiscover> replies = new ArrayList<>();
      io.nats.client.Message msg;
      while ((msg = sub.nextMessage(Duration.ofSeconds(2))) != null) {
        replies.add(ComponentDiscover.fromJson(msg.getData()));
      }
      return replies;
    }
  }

  private static boolean listening(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  @Test
  void startsEveryComponentStopsThemAllAndRestartsAsTheSameCloud() throws Exception {
    startMicro();
    JsonNode settings = settings();
    assertThat(settings.get("nats_port").asInt()).isEqualTo(natsPort);
    assertThat(Files.getPosixFilePermissions(home.resolve("micro/micro.yml")))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(Files.getPosixFilePermissions(home.resolve("node.yml")))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(output.toString()).doesNotContain(settings.get("nats_password").asText());
    assertPrivateHome();

    List<ComponentDiscover> components = discover(settings);
    Set<String> types = new HashSet<>();
    components.forEach(c -> types.add(c.type()));
    assertThat(types).containsExactlyInAnyOrder("CloudController", "Router", "HealthManager",
        "Stager", "DEA", "ServicesNode");
    // the API answers, and the generated admin can log in
    java.util.regex.Matcher direct = java.util.regex.Pattern
        .compile("directly: (http://127\\.0\\.0\\.1:\\d+)").matcher(output);
    assertThat(direct.find()).as("API URL in the summary").isTrue();
    java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
    var info = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(
        direct.group(1) + "/info")).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(info.statusCode()).isEqualTo(200);
    assertThat(info.body()).contains("\"name\":\"vcap\"");
    var login = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(
        direct.group(1) + "/users/" + settings.get("admin_email").asText().replace("@", "%40")
            + "/tokens")).POST(java.net.http.HttpRequest.BodyPublishers.ofString(
        "{\"password\":\"" + settings.get("admin_password").asText() + "\"}")).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(login.statusCode()).isEqualTo(200);
    assertThat(login.body()).contains("token");

    List<Integer> statusPorts = components.stream()
        .map(c -> Integer.parseInt(c.host().substring(c.host().lastIndexOf(':') + 1))).toList();

    // the micro cloud is a core node like any other: kato sees its supervised processes
    String status = kato("status");
    assertThat(status).contains("roles core,stager,dea,data-services");
    for (String process : List.of("nats", "cloud_controller", "router", "health_manager",
        "stager", "dea", "services_node")) {
      assertThat(status).containsPattern(process + "\\s+RUNNING");
    }

    micro.destroy();
    assertThat(micro.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(listening(natsPort)).isFalse();
    assertThat(statusPorts).noneMatch(MicroCloudIT::listening);

    startMicro();
    assertThat(settings()).isEqualTo(settings);
    List<ComponentDiscover> again = discover(settings);
    assertThat(again).hasSize(6);

    // kato stop stops every process it started (the agent stays, so kato start works)
    assertThat(kato("stop")).contains("stop (all processes): done");
    assertThat(listening(natsPort)).isFalse();
    assertThat(again.stream().map(c -> Integer.parseInt(
        c.host().substring(c.host().lastIndexOf(':') + 1)))).noneMatch(MicroCloudIT::listening);
  }

  /**
   * The home an app on this machine sees: passable (the DEA's apps are below it), and nothing
   * of the platform's readable: kato's files and configs, every component's state (the
   * controller's database and blobs, the services node's records), the logs. Only the DEA's
   * directory and the filesystem service's instances are apps'.
   */
  private void assertPrivateHome() throws IOException {
    assertThat(mode(home)).isEqualTo("rwx--x--x");
    for (String dir : List.of("logs", "logs/run", "config", "cluster", "micro", "data/nats",
        "data/postgresql", "data/mysql", "data/redis", "controller", "stager")) {
      assertThat(mode(home.resolve(dir))).as(dir).isEqualTo("rwx------");
    }
    // passable, not listable: the data servers run as their own users below it
    assertThat(mode(home.resolve("data"))).isEqualTo("rwx--x--x");
    for (String file : List.of("node.yml", "agent.token", "config/nats.conf",
        "config/cloud_controller.yml", "config/dea.yml", "logs/cloud_controller.log",
        "logs/dea.log", "controller/controller.mv.db", "services/filesystem/instances.json",
        "data/postgresql.password", "data/mysql.password", "data/redis.password",
        "config/services_node.yml")) {
      if (!file.endsWith("instances.json") || Files.exists(home.resolve(file))) {
        assertThat(mode(home.resolve(file))).as(file).isEqualTo("rw-------");
      }
    }
    assertThat(mode(home.resolve("services"))).isEqualTo("rwx--x--x");
    Path instances = home.resolve("services/filesystem/instances");
    List<Path> all = new ArrayList<>();
    Files.walkFileTree(home, new java.nio.file.SimpleFileVisitor<>() {
      @Override
      public java.nio.file.FileVisitResult preVisitDirectory(Path dir,
          java.nio.file.attribute.BasicFileAttributes attrs) {
        if (dir.equals(home.resolve("dea")) || dir.equals(instances)) {
          return java.nio.file.FileVisitResult.SKIP_SUBTREE; // apps'
        }
        all.add(dir);
        return java.nio.file.FileVisitResult.CONTINUE;
      }

      @Override
      public java.nio.file.FileVisitResult visitFile(Path file,
          java.nio.file.attribute.BasicFileAttributes attrs) {
        all.add(file);
        return java.nio.file.FileVisitResult.CONTINUE;
      }

      @Override
      public java.nio.file.FileVisitResult visitFileFailed(Path file, IOException e)
          throws IOException {
        if (e instanceof java.nio.file.NoSuchFileException) {
          return java.nio.file.FileVisitResult.CONTINUE; // a temporary file, gone
        }
        throw e;
      }
    });
    assertThat(all).hasSizeGreaterThan(20);
    for (Path p : all.subList(1, all.size())) {
      assertThat(reachableByOthers(p)).as("%s (%s) reachable by others", p, mode(p)).isFalse();
    }
  }

  /** Whether a user other than the owner could read {@code p}: every directory on the way. */
  private boolean reachableByOthers(Path p) {
    for (Path dir = p.getParent(); !dir.equals(home); dir = dir.getParent()) {
      String mode = mode(dir);
      if (mode.charAt(5) != 'x' && mode.charAt(8) != 'x') {
        return false;
      }
    }
    String mode = mode(p);
    return mode.charAt(3) == 'r' || mode.charAt(6) == 'r';
  }

  private static String mode(Path p) {
    try {
      return PosixFilePermissions.toString(Files.getPosixFilePermissions(p,
          java.nio.file.LinkOption.NOFOLLOW_LINKS));
    } catch (java.nio.file.NoSuchFileException e) {
      return "---------"; // gone meanwhile: nobody can read it
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Runs the built kato against this micro cloud's home; returns its output. */
  private String kato(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(MicroCloud.javaBinary(), "-jar",
        KATO_JAR.toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().put("UPDRAFT_HOME", home.toString());
    Process p = builder.start();
    String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(text).isZero();
    return text;
  }
}
