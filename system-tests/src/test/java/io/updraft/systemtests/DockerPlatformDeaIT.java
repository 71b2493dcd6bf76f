package io.updraft.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.updraft.common.protocol.Subjects;
import io.updraft.common.protocol.dea.DeaAdvertise;
import io.updraft.common.testing.Futures;
import io.updraft.common.testing.NatsServer;
import io.updraft.controller.scaling.DockerConfig;
import io.updraft.controller.scaling.DockerPlatform;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.testcontainers.DockerClientFactory;

/**
 * The controller's {@code docker} scaling platform launching real DEA containers from the
 * built {@code updraft/dea} image: they join the cluster (advertise on this test's
 * nats-server) and are gone after {@code terminate}. The containers use the host's network,
 * as a DEA on a VM would, so they reach the nats-server on loopback.
 */
class DockerPlatformDeaIT {

  /** Longer than the default: run first, it builds the images (see {@link Images}). */
  @Test
  @Timeout(value = 15, unit = TimeUnit.MINUTES)
  void launchedDeaContainersAdvertiseOnTheBusAndAreRemovedOnTerminate() throws Exception {
    Images.ensureBuilt();
    String dockerHost = System.getenv("DOCKER_HOST");
    Vertx vertx = Vertx.vertx();
    try (NatsServer nats = NatsServer.start();
        Connection bus = Nats.connect(new Options.Builder().server(nats.url())
            .userInfo(NatsServer.USER.toCharArray(), NatsServer.PASSWORD.toCharArray())
            .build())) {
      Map<String, Long> advertised = new ConcurrentHashMap<>();
      Map<String, String> nodeIds = new ConcurrentHashMap<>();
      Dispatcher dispatcher = bus.createDispatcher(m -> {
        DeaAdvertise ad = DeaAdvertise.fromJson(m.getData());
        advertised.put(ad.id(), ad.availableMemoryMb());
        if (ad.nodeId() != null) {
          nodeIds.put(ad.id(), ad.nodeId());
        }
      });
      dispatcher.subscribe(Subjects.DEA_ADVERTISE);

      DockerPlatform platform = new DockerPlatform(vertx, new DockerConfig(
          dockerHost == null || dockerHost.isBlank() ? DockerConfig.DEFAULT_HOST : dockerHost,
          Images.image("dea"), "host", "updraft-it-dea-", List.of(nats.url()),
          NatsServer.USER, NatsServer.PASSWORD, 512L, null,
          // on the host's network: loopback address, any free status port
          Map.of("UPDRAFT__LOCAL_IP", "127.0.0.1", "UPDRAFT__STATUS__PORT", "0",
              "UPDRAFT__INTERVALS__ADVERTISE_MS", "1000"),
          null, null, 30));
      List<String> containers = Futures.result(platform.launch(2));
      assertThat(containers).hasSize(2).doesNotHaveDuplicates();
      DockerClient docker = DockerClientFactory.instance().client();
      try {
        await().atMost(Duration.ofMinutes(2)).untilAsserted(() ->
            assertThat(advertised).hasSize(2).allSatisfy((id, memory) ->
                assertThat(memory).isEqualTo(512L)));
        // each DEA advertises its container's node id, so a scale-down can remove it
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
            assertThat(nodeIds.values()).containsExactlyInAnyOrderElementsOf(containers));
        for (String id : containers) {
          assertThat(docker.inspectContainerCmd(id).exec().getConfig().getLabels())
              .containsEntry("io.updraft.role", "dea");
        }
      } finally {
        for (String id : containers) {
          Futures.result(platform.terminate(id));
        }
        Futures.result(platform.close());
      }
      for (String id : containers) {
        assertThatThrownBy(() -> docker.inspectContainerCmd(id).exec())
            .isInstanceOf(NotFoundException.class);
      }
    } finally {
      Futures.result(vertx.close());
    }
  }
}
