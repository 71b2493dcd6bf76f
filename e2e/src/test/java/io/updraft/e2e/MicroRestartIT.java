package io.updraft.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
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

  @TempDir
  Path dir;
  private MicroCloudRun micro;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(2)).build();

  @AfterEach
  void tearDown() throws Exception {
    if (micro != null) {
      micro.close();
    }
  }

  @Test
  void katoRestartDeaLosesNoRequest() throws Exception {
    micro = new MicroCloudRun(dir, "micro-restart").start(Duration.ofSeconds(180));
    int httpPort = micro.httpPort;
    micro.loginAsAdmin();
    Path app = Files.createDirectories(dir.resolve("app"));
    Files.copy(TREE.resolve("examples/python/app.py"), app.resolve("app.py"));
    micro.updraft("push", "steady", "--path", app.toString(), "--memory", "64M");
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
    String restart = micro.kato("restart", "dea");
    int afterRestart = sent.get();
    // the DEA is back (it answers discover with its instance) and the probe keeps going
    await().atMost(Duration.ofSeconds(60)).until(() -> micro.updraft("instances", "steady")
        .contains("RUNNING") && sent.get() >= afterRestart + 25);
    probing.set(false);
    prober.join(10_000);
    assertThat(restart).isNotBlank();
    if (containersHere()) {
      // as root with the stack, the micro cloud's DEA runs its instances in containers
      assertThat(micro.home("logs/dea.log")).content()
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
