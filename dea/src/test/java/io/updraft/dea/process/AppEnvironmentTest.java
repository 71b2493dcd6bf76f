package io.updraft.dea.process;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.updraft.common.fixtures.AppFixture;
import io.updraft.common.protocol.Json;
import io.updraft.common.protocol.dea.DeaStartRequest;
import io.updraft.common.protocol.dea.Limits;
import io.updraft.common.protocol.dea.RuntimeInfo;
import io.updraft.common.protocol.dea.ServiceBinding;
import io.updraft.common.testing.MutableClock;
import io.updraft.dea.instance.Instance;
import io.updraft.dea.instance.TestInstances;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AppEnvironmentTest {

  private final MutableClock clock = TestInstances.clock();
  private final AppFixture app = AppFixture.create();

  private Instance instance(List<ServiceBinding> services, List<String> env) {
    DeaStartRequest r = app.startRequest(0);
    DeaStartRequest req = new DeaStartRequest(r.droplet(), r.index(), r.name(), r.uris(),
        r.runtime(), new RuntimeInfo("java17", "17", null, "java", null, null, null,
        Map.of("JAVA_OPTS", "-Xss1m"), null, null), r.framework(), r.prod(), r.sha1(),
        r.executableFile(), r.executableUri(), r.version(), services, r.limits(), env, r.users(),
        null, null, null, r.ccPartition());
    Instance i = new Instance("abc", "p".repeat(64), req, new Limits(128, 2048, 256),
        Path.of("/var/dea/apps/x-0-abc"), clock.instant());
    i.port(61001);
    return i;
  }

  @Test
  void setsTheV1AndStackatoVariablesAndNothingElse() throws Exception {
    Map<String, String> env = AppEnvironment.build(instance(List.of(), List.of()), "10.0.0.7",
        "/usr/bin:/bin");

    assertThat(env).containsEntry("HOME", "/var/dea/apps/x-0-abc")
        .containsEntry("TMPDIR", "/var/dea/apps/x-0-abc/tmp")
        .containsEntry("VCAP_APP_HOST", "10.0.0.7")
        .containsEntry("VCAP_APP_PORT", "61001")
        .containsEntry("PORT", "61001")
        .containsEntry("MEMORY_LIMIT", "128m")
        .containsEntry("PATH", "/usr/bin:/bin")
        .containsEntry("JAVA_OPTS", "-Xss1m")
        .containsEntry("VCAP_SERVICES", "{}");
    assertThat(env.keySet()).doesNotContain("USER", "JAVA_HOME", "UPDRAFT_CONFIG");
    JsonNode vcap = Json.tree(env.get("VCAP_APPLICATION").getBytes(StandardCharsets.UTF_8));
    assertThat(vcap.get("instance_id").asText()).isEqualTo("abc");
    assertThat(vcap.get("instance_index").asInt()).isZero();
    assertThat(vcap.get("name").asText()).isEqualTo(app.name());
    assertThat(vcap.get("uris").get(0).asText()).isEqualTo(app.uri());
    assertThat(vcap.get("port").asInt()).isEqualTo(61001);
    assertThat(vcap.get("host").asText()).isEqualTo("10.0.0.7");
    assertThat(vcap.get("limits").get("mem").asLong()).isEqualTo(128L * 1024 * 1024);
    assertThat(vcap.get("version").asText()).isEqualTo(app.version());
  }

  @Test
  void servicesAreKeyedByTheUnversionedNameWithUrls() throws Exception {
    ServiceBinding pg = new ServiceBinding("mydb", "postgresql-9.1", "postgresql", "9.1",
        "database", List.of("relational"), "free", null, Map.of("name", "d1", "host", "10.0.0.9",
        "port", 5432, "user", "u1", "password", "p@ss"), null);
    ServiceBinding redis = new ServiceBinding("cache", "redis-2.6", null, null, "key-value",
        List.of(), "free", null, Map.of("hostname", "10.0.0.8", "port", 6379, "password", "r"),
        null);
    Map<String, String> env = AppEnvironment.build(instance(List.of(pg, redis), List.of()),
        "10.0.0.7", "/bin");

    JsonNode services = Json.tree(env.get("VCAP_SERVICES").getBytes(StandardCharsets.UTF_8));
    assertThat(services.has("postgresql")).isTrue();
    assertThat(services.has("redis")).isTrue();
    JsonNode b = services.get("postgresql").get(0);
    assertThat(b.get("name").asText()).isEqualTo("mydb");
    assertThat(b.get("label").asText()).isEqualTo("postgresql-9.1");
    assertThat(b.get("credentials").get("password").asText()).isEqualTo("p@ss");
    assertThat(env).containsEntry("DATABASE_URL", "postgres://u1:p%40ss@10.0.0.9:5432/d1")
        .containsEntry("POSTGRESQL_URL", "postgres://u1:p%40ss@10.0.0.9:5432/d1")
        .containsEntry("REDIS_URL", "redis://:r@10.0.0.8:6379");
  }

  @Test
  void theAppsOwnEnvWinsAndBadNamesAreDropped() {
    Map<String, String> env = AppEnvironment.build(instance(List.of(),
        List.of("GREETING=hello=world", "PORT=1", "bad name=x", "=nothing")), "h", "/bin");
    assertThat(env).containsEntry("GREETING", "hello=world").containsEntry("PORT", "1")
        .doesNotContainKey("bad name");
  }
}
