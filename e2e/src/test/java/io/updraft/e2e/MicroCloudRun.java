package io.updraft.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A micro cloud started as the README does ({@code kato micro up} from the built jars) in a
 * home of its own, and the {@code updraft} and {@code kato} tools run against it as an
 * operator would. Closing it stops the cloud and keeps its components' logs in
 * {@code target/<name>-logs} for a look after a failure.
 */
final class MicroCloudRun implements AutoCloseable {

  private static final Path TREE = ComponentProcess.SOURCE_TREE;
  private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java")
      .toString();

  /** A finished tool run. */
  record Result(int exit, String output) {
  }

  private final Path dir;
  private final String name;
  final int httpPort = io.updraft.common.testing.NatsServer.freePort();
  final int natsPort = io.updraft.common.testing.NatsServer.freePort();
  private final StringBuffer output = new StringBuffer();
  private Process micro;

  MicroCloudRun(Path dir, String name) {
    this.dir = dir;
    this.name = name;
  }

  /** Starts it and waits until it says it is up (bounded). */
  MicroCloudRun start(Duration within) throws IOException {
    micro = tool("kato/target/updraft-kato.jar", "micro", "up", "--jars", TREE.toString(),
        "--nats-port", String.valueOf(natsPort), "--http-port", String.valueOf(httpPort))
        .start();
    Process started = micro;
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(
          started.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = in.readLine()) != null) {
          output.append(line).append('\n');
        }
      } catch (IOException e) {
        // ended
      }
    }, "micro-output");
    reader.setDaemon(true);
    reader.start();
    await().atMost(within).pollInterval(Duration.ofMillis(200))
        .until(() -> output.toString().contains("Stop: Ctrl-C") || !started.isAlive());
    assertThat(output.toString()).as("micro cloud output").contains("micro cloud is up");
    return this;
  }

  /** What {@code kato micro up} printed so far. */
  String output() {
    return output.toString();
  }

  /** Points the client at the API and logs in as the admin the summary printed. */
  void loginAsAdmin() throws Exception {
    Matcher api = Pattern.compile("directly: (http://127\\.0\\.0\\.1:\\d+)").matcher(output);
    Matcher login = Pattern.compile("login (\\S+) --password (\\S+)").matcher(output);
    assertThat(api.find()).as("API URL in the summary").isTrue();
    assertThat(login.find()).as("admin login in the summary").isTrue();
    updraft("target", api.group(1));
    updraft("login", login.group(1), "--password", login.group(2));
  }

  /** A file of the micro cloud's home. */
  Path home(String relative) {
    return dir.resolve("home").resolve(relative);
  }

  ProcessBuilder tool(String jar, String... args) {
    List<String> command = new ArrayList<>(List.of(JAVA, "-jar",
        TREE.resolve(jar).toString()));
    command.addAll(List.of(args));
    ProcessBuilder b = new ProcessBuilder(command).redirectErrorStream(true);
    b.environment().put("UPDRAFT_HOME", dir.resolve("home").toString());
    b.environment().put("HOME", dir.toString());
    b.environment().put("XDG_CONFIG_HOME", dir.resolve("xdg").toString());
    b.environment().remove("UPDRAFT_TARGET");
    b.environment().remove("UPDRAFT_TOKEN");
    return b;
  }

  Result attempt(String jar, String... args) throws Exception {
    Process p = tool(jar, args).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(240, TimeUnit.SECONDS)).as(String.join(" ", args)).isTrue();
    return new Result(p.exitValue(), out);
  }

  private String run(String jar, String... args) throws Exception {
    Result r = attempt(jar, args);
    assertThat(r.exit()).as(String.join(" ", args) + ": " + r.output()).isZero();
    return r.output();
  }

  /** {@code updraft ARGS}, which must succeed; its output. */
  String updraft(String... args) throws Exception {
    return run("client/target/updraft-client.jar", args);
  }

  /** {@code kato ARGS}, which must succeed; its output. */
  String kato(String... args) throws Exception {
    return run("kato/target/updraft-kato.jar", args);
  }

  @Override
  public void close() throws Exception {
    if (micro != null && micro.isAlive()) {
      micro.destroy();
      micro.waitFor(90, TimeUnit.SECONDS);
    }
    Path logs = dir.resolve("home/logs");
    Path kept = Files.createDirectories(Path.of("target", name + "-logs"));
    if (Files.isDirectory(logs)) {
      try (var files = Files.list(logs)) {
        for (Path f : files.filter(Files::isRegularFile).toList()) {
          Files.copy(f, kept.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
    Files.writeString(kept.resolve("micro.out"), output);
  }
}
