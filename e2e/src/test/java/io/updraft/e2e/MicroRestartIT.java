package io.updraft.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The micro cloud as the README starts it: an app pushed with the client keeps answering,
 * with no failed request, while the operator runs {@code kato restart dea} (the DEA leaves its
 * instances running and re-adopts them). A probe requests the app through the router every
 * 0.2 s from before the restart until well after the DEA is back.
 */
class MicroRestartIT {

  private static final Path TREE = ComponentProcess.SOURCE_TREE;
  private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java")
      .toString();

  @TempDir
  Path dir;
  private Process micro;
  private final StringBuffer output = new StringBuffer();
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(2)).build();

  @AfterEach
  void tearDown() throws Exception {
    if (micro != null && micro.isAlive()) {
      micro.destroy();
      micro.waitFor(60, TimeUnit.SECONDS);
    }
    // the components' logs stay for a look after a failure
    Path logs = dir.resolve("home/logs");
    Path kept = Files.createDirectories(Path.of("target", "micro-restart-logs"));
    if (Files.isDirectory(logs)) {
      try (var files = Files.list(logs)) {
        for (Path f : files.filter(Files::isRegularFile).toList()) {
          Files.copy(f, kept.resolve(f.getFileName()),
              java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
    Files.writeString(kept.resolve("micro.out"), output);
  }

  private ProcessBuilder tool(String jar, String... args) {
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

  private String run(String jar, String... args) throws Exception {
    Process p = tool(jar, args).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(240, TimeUnit.SECONDS)).as(String.join(" ", args)).isTrue();
    assertThat(p.exitValue()).as(String.join(" ", args) + ": " + out).isZero();
    return out;
  }

  @Test
  void katoRestartDeaLosesNoRequest() throws Exception {
    int httpPort = io.updraft.common.testing.NatsServer.freePort();
    int natsPort = io.updraft.common.testing.NatsServer.freePort();
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
    });
    reader.setDaemon(true);
    reader.start();
    await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(200))
        .until(() -> output.toString().contains("Stop: Ctrl-C") || !started.isAlive());
    assertThat(output.toString()).as("micro cloud output").contains("micro cloud is up");
    Matcher api = Pattern.compile("directly: (http://127\\.0\\.0\\.1:\\d+)").matcher(output);
    Matcher login = Pattern.compile("login (\\S+) --password (\\S+)").matcher(output);
    assertThat(api.find()).isTrue();
    assertThat(login.find()).isTrue();

    run("client/target/updraft-client.jar", "target", api.group(1));
    run("client/target/updraft-client.jar", "login", login.group(1), "--password",
        login.group(2));
    Path app = Files.createDirectories(dir.resolve("app"));
    Files.copy(TREE.resolve("examples/python/app.py"), app.resolve("app.py"));
    run("client/target/updraft-client.jar", "push", "steady", "--path", app.toString(),
        "--memory", "64M");
    HttpRequest probe = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/"))
        .header("Host", "steady.localhost").timeout(Duration.ofSeconds(5)).build();
    await().atMost(Duration.ofSeconds(120)).until(() -> status(probe) == 200);

    AtomicInteger sent = new AtomicInteger();
    List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
    AtomicBoolean probing = new AtomicBoolean(true);
    Thread prober = new Thread(() -> {
      while (probing.get()) {
        long next = System.nanoTime() + 200_000_000L;
        int code = status(probe);
        sent.incrementAndGet();
        if (code != 200) {
          failures.add(code + " at probe " + sent.get());
        }
        java.util.concurrent.locks.LockSupport.parkNanos(Math.max(0, next - System.nanoTime()));
      }
    }, "probe");
    prober.start();
    await().atMost(Duration.ofSeconds(10)).until(() -> sent.get() >= 5);
    String restart = run("kato/target/updraft-kato.jar", "restart", "dea");
    int afterRestart = sent.get();
    // the DEA is back (it answers discover with its instance) and the probe keeps going
    await().atMost(Duration.ofSeconds(60)).until(() -> run("client/target/updraft-client.jar",
        "instances", "steady").contains("RUNNING") && sent.get() >= afterRestart + 25);
    probing.set(false);
    prober.join(10_000);
    assertThat(restart).isNotBlank();
    if (containersHere()) {
      // as root with the stack, the micro cloud's DEA runs its instances in containers
      assertThat(dir.resolve("home/logs/dea.log")).content()
          .contains("dea.isolation backend=container");
    }
    assertThat(failures).as("failed probes out of " + sent.get()).isEmpty();
    assertThat(sent.get()).isGreaterThan(30);
  }

  private static boolean containersHere() {
    try {
      return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"))
          && Files.isExecutable(Path.of("/var/lib/updraft/stacks/bookworm/usr/bin/tini"));
    } catch (IOException e) {
      return false;
    }
  }

  private int status(HttpRequest request) {
    try {
      return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (Exception e) {
      return -1;
    }
  }
}
