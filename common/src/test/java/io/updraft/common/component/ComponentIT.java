package io.updraft.common.component;

import static io.updraft.common.testing.Futures.result;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.updraft.common.bus.NatsBus;
import io.updraft.common.bus.NatsConfig;
import io.updraft.common.config.SampleConfig;
import io.updraft.common.protocol.Empty;
import io.updraft.common.protocol.component.ComponentDiscover;
import io.updraft.common.testing.NatsServer;
import io.updraft.common.testing.NatsServerExtension;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/** A component started by the launcher: discover/announce on NATS and its status endpoint. */
@ExtendWith(NatsServerExtension.class)
class ComponentIT {

  private final HttpClient http = HttpClient.newHttpClient();
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private Vertx observerVertx;
  private NatsBus observer;
  private ComponentLauncher.Running<SampleConfig> running;

  /** The smallest component: no responders of its own, one varz figure. */
  static final class SampleVerticle extends ComponentVerticle {
    SampleVerticle(ComponentLauncher.Runtime<SampleConfig> runtime) {
      super(runtime.bus(), runtime.component());
    }

    @Override
    protected Future<?> startResponders() {
      component.varzFigures(() -> Map.of("sample_figure", 42));
      return Future.succeededFuture();
    }
  }

  @BeforeEach
  void setUp(NatsServer nats) throws Exception {
    logs.start();
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(logs);
    observerVertx = Vertx.vertx();
    observer = result(NatsBus.connect(observerVertx, nats.config(), "observer",
        new SimpleMeterRegistry()));
  }

  @AfterEach
  void tearDown() throws Exception {
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(logs);
    if (running != null) {
      running.stop();
    }
    result(observer.close());
    result(observerVertx.close());
  }

  private void startComponent(NatsConfig nats) throws Exception {
    running = result(ComponentLauncher.start("SampleComponent", SampleConfig.of(nats),
        SampleVerticle::new));
  }

  private HttpResponse<String> get(String path, String user, String password) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(
        "http://127.0.0.1:" + running.runtime().component().statusPort() + path))
        .timeout(Duration.ofSeconds(10));
    if (user != null) {
      request.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
          (user + ":" + password).getBytes(StandardCharsets.UTF_8)));
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void announcesAtStartAndAnswersDiscover(NatsServer nats) throws Exception {
    List<ComponentDiscover> announced = Collections.synchronizedList(new ArrayList<>());
    observer.subscribe("vcap.component.announce", ComponentDiscover.class,
        d -> announced.add(d.body()));
    result(observer.flush());

    startComponent(nats.config());
    String uuid = running.runtime().component().identity().uuid();
    await().atMost(Duration.ofSeconds(10)).until(() -> !announced.isEmpty());
    assertThat(announced.get(0).uuid()).isEqualTo(uuid).startsWith("0-").hasSize(34);
    assertThat(announced.get(0).type()).isEqualTo("SampleComponent");
    assertThat(announced.get(0).uptime()).isNull();

    List<ComponentDiscover> replies = result(observer.gather("vcap.component.discover",
        Empty.INSTANCE, ComponentDiscover.class, Duration.ofMillis(500), 10));
    assertThat(replies).extracting(ComponentDiscover::uuid).containsExactly(uuid);
    ComponentDiscover doc = replies.get(0);
    assertThat(doc.host()).isEqualTo("127.0.0.1:" + running.runtime().component().statusPort());
    assertThat(doc.credentials()).hasSize(2);
    assertThat(doc.uptime()).matches("\\d+d:\\d+h:\\d+m:\\d+s");
  }

  @Test
  void statusEndpointServesHealthOpenlyAndVarzAndMetricsOnlyWithCredentials(NatsServer nats)
      throws Exception {
    startComponent(nats.config());
    List<String> credentials = running.runtime().component().statusCredentials();

    HttpResponse<String> health = get("/healthz", null, null);
    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(health.body()).isEqualTo("ok\n");

    assertThat(get("/varz", null, null).statusCode()).isEqualTo(401);
    assertThat(get("/varz", credentials.get(0), "wrong").statusCode()).isEqualTo(401);
    assertThat(get("/metrics", "nobody", credentials.get(1)).statusCode()).isEqualTo(401);

    HttpResponse<String> varz = get("/varz", credentials.get(0), credentials.get(1));
    assertThat(varz.statusCode()).isEqualTo(200);
    JsonObject doc = new JsonObject(varz.body());
    assertThat(doc.getString("type")).isEqualTo("SampleComponent");
    assertThat(doc.getString("uuid")).isEqualTo(running.runtime().component().identity().uuid());
    assertThat(doc.getLong("mem")).isPositive();
    assertThat(doc.getInteger("num_cores")).isPositive();
    assertThat(doc.getValue("cpu")).isNotNull();
    assertThat(doc.getString("uptime")).isNotBlank();
    assertThat(doc.getInteger("sample_figure")).isEqualTo(42);
    assertThat(doc.getBoolean("nats_connected")).isTrue();
    // the config is shown, its secrets are not
    assertThat(doc.getJsonObject("config").getJsonObject("nats").getString("user"))
        .isEqualTo(NatsServer.USER);
    assertThat(varz.body()).doesNotContain(NatsServer.PASSWORD);

    HttpResponse<String> metrics = get("/metrics", credentials.get(0), credentials.get(1));
    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.body()).contains("updraft_nats_messages_published_total")
        .contains("jvm_memory_used_bytes");
  }

  @Test
  void natsCredentialsNeverReachTheLogs(NatsServer nats) throws Exception {
    // credentials in the URL, the CF v1 mbus style, plus a disconnect and reconnect
    NatsConfig inUrl = new NatsConfig(List.of("nats://" + NatsServer.USER + ":"
        + NatsServer.PASSWORD + "@127.0.0.1:" + nats.port()), null, null, null, 1000L, 200L);
    startComponent(inUrl);
    nats.restart();
    await().atMost(Duration.ofSeconds(10)).until(() -> logs.list.stream()
        .anyMatch(e -> e.getFormattedMessage().equals("nats.reconnected")));
    assertThat(logs.list).isNotEmpty().allSatisfy(event -> {
      assertThat(event.getFormattedMessage()).doesNotContain(NatsServer.PASSWORD);
      assertThat(String.valueOf(event.getKeyValuePairs())).doesNotContain(NatsServer.PASSWORD);
    });
    assertThat(logs.list).anySatisfy(event -> assertThat(String.valueOf(
        event.getKeyValuePairs())).contains("***@127.0.0.1"));
  }
}
