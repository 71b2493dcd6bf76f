package io.updraft.dea;

import static io.updraft.common.testing.Futures.result;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.updraft.common.protocol.Json;
import io.updraft.common.testing.NatsServer;
import io.updraft.common.testing.NatsServerExtension;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which backend the DEA takes, and what it says: {@code container} refuses to start where
 * containers cannot run, naming why; {@code auto} falls back to processes and says so in
 * {@code /varz}. Holds on any machine: a stack that is not there is never usable.
 */
@ExtendWith(NatsServerExtension.class)
class BackendChoiceIT {

  @TempDir
  Path base;
  private DeaHarness h;

  @BeforeEach
  void setUp(NatsServer nats) throws Exception {
    h = new DeaHarness(nats, base.resolve("dea"));
  }

  @AfterEach
  void tearDown() throws Exception {
    h.close();
  }

  private static DeaConfig.Isolation isolation(DeaConfig.Isolation.Mode mode) {
    return new DeaConfig.Isolation(mode, DeaConfig.Isolation.Users.OFF, null,
        "/nonexistent/stack", null, null, null, null, null, null);
  }

  @Test
  void containerModeRefusesToStartWhereContainersCannotRunAndSaysWhy() {
    h.isolation = isolation(DeaConfig.Isolation.Mode.CONTAINER);
    DeaConfig config = h.config(DeaConfig.ShutdownAction.EVACUATE);
    assertThatThrownBy(() -> result(DeaMain.start(config, new AtomicReference<>())))
        .hasMessageContaining("isolation: container unavailable: ")
        .satisfies(e -> assertThat(e.getMessage()).containsAnyOf(
            "no stack at /nonexistent/stack", "not running as root"));
  }

  @Test
  void autoFallsBackToProcessesAndSaysWhyInVarz() throws Exception {
    h.isolation = isolation(DeaConfig.Isolation.Mode.AUTO);
    h.startDea(DeaConfig.ShutdownAction.EVACUATE);
    var component = h.dea.runtime().component();
    List<String> creds = component.statusCredentials();
    HttpResponse<String> varz = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + component.statusPort() + "/varz"))
        .timeout(Duration.ofSeconds(5))
        .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
            (creds.get(0) + ":" + creds.get(1)).getBytes(StandardCharsets.UTF_8))).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(varz.statusCode()).isEqualTo(200);
    var isolation = Json.tree(varz.body()
        .getBytes(StandardCharsets.UTF_8)).path("isolation");
    assertThat(isolation.path("backend").asText()).isEqualTo("process");
    assertThat(isolation.path("reason").asText()).startsWith("container unavailable: ")
        .containsAnyOf("no stack at /nonexistent/stack", "not running as root");
    // whatever the backend: the droplet cache and the instance table are the DEA's alone
    Path dea = base.resolve("dea");
    assertThat(Files.getPosixFilePermissions(dea.resolve("staged")))
        .isEqualTo(PosixFilePermissions.fromString("rwx------"));
    assertThat(Files.getPosixFilePermissions(dea.resolve("db")))
        .isEqualTo(PosixFilePermissions.fromString("rwx------"));
    assertThat(Files.getPosixFilePermissions(dea))
        .isEqualTo(PosixFilePermissions.fromString("rwx--x--x"));
  }
}
