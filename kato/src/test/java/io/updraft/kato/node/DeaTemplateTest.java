package io.updraft.kato.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.updraft.kato.node.DeaTemplate.Action;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where a copy of the DEA template finds its core at boot, and what it writes then. */
class DeaTemplateTest {

  @TempDir
  Path dir;
  private DeaTemplate.Places places;

  @BeforeEach
  void setUp() throws Exception {
    places = new DeaTemplate.Places(dir.resolve("updraft"), dir.resolve("user"),
        dir.resolve("etc/core_address"), dir.resolve("cloud/user-data.txt"),
        dir.resolve("cloud/instance-id"));
    Files.createDirectories(dir.resolve("user"));
    Files.createDirectories(dir.resolve("etc"));
    Files.createDirectories(dir.resolve("cloud"));
  }

  @Test
  void anUnmarkedNodeBootsAsItIs() {
    assertThat(DeaTemplate.plan(places, Map.of("UPDRAFT_CORE", "10.0.5.6")).action())
        .isEqualTo(Action.NONE);
  }

  @Test
  void eitherMarkMakesATemplateThatStaysOneWithoutACoreAddress() throws Exception {
    Files.writeString(places.userHome().resolve(".stackato-dea-template"), "");
    assertThat(DeaTemplate.marked(places)).isTrue();
    assertThat(DeaTemplate.plan(places, Map.of()).action()).isEqualTo(Action.STAY_TEMPLATE);
    assertThat(DeaTemplate.unmark(places)).hasSize(1);
    assertThat(DeaTemplate.marked(places)).isFalse();

    Path mark = DeaTemplate.mark(places);
    assertThat(mark).isEqualTo(places.updraftHome().resolve("dea-template")).exists();
    assertThat(DeaTemplate.plan(places, Map.of()).action()).isEqualTo(Action.STAY_TEMPLATE);
  }

  @Test
  void theCoreAddressComesFromTheEnvironmentThenTheCoreFileThenTheUserData() throws Exception {
    DeaTemplate.mark(places);
    // what DeaUserData renders for the cloud platforms
    Files.writeString(places.userData(), """
        #cloud-config
        write_files:
          - path: /etc/updraft/core_address
            content: |
              10.0.5.9
        runcmd:
          - [kato, attach, -e, dea, '10.0.5.9']
        """);
    assertThat(DeaTemplate.plan(places, Map.of())).isEqualTo(new DeaTemplate.Plan(
        Action.ATTACH, "10.0.5.9", places.userData().toString()));
    Files.writeString(places.coreFile(), "10.0.5.8\n");
    assertThat(DeaTemplate.plan(places, Map.of()).core()).isEqualTo("10.0.5.8");
    assertThat(DeaTemplate.plan(places, Map.of("UPDRAFT_CORE", "10.0.5.7:5702")))
        .isEqualTo(new DeaTemplate.Plan(Action.ATTACH, "10.0.5.7:5702", "UPDRAFT_CORE"));
    // nonsense is not an address
    Files.writeString(places.coreFile(), "not an address; rm -rf /\n");
    Files.delete(places.userData());
    assertThat(DeaTemplate.plan(places, Map.of("UPDRAFT_CORE", "a b")).action())
        .isEqualTo(Action.STAY_TEMPLATE);
  }

  @Test
  void attachingGivesTheCopyAFreshIdentityTheDeaRoleAndTheCoreAndRemovesTheMarks()
      throws Exception {
    // the template's own node.yml, copied with the image
    Files.createDirectories(places.updraftHome());
    new NodeConfig(null, "template-id", "template", "10.0.7.1", List.of("dea"), false,
        "10.0.5.1:5701", null, 9191, null, null, 8081, "/opt/updraft")
        .write(places.updraftHome().resolve("node.yml"));
    DeaTemplate.mark(places);
    Files.writeString(places.userHome().resolve(".stackato-dea-template"), "");
    Files.writeString(places.instanceId(), "i-0abc123def4567890\n");

    DeaTemplate.attach(places, "10.0.5.6", "10.0.7.2", "/elsewhere");
    assertThat(DeaTemplate.platformNodeId(places.updraftHome())).hasValue("i-0abc123def4567890");

    NodeConfig node = NodeConfig.readNode(places.updraftHome().resolve("node.yml"));
    assertThat(node.nodeId()).isNull();
    assertThat(node.hostname()).isNull();
    assertThat(node.ip()).isEqualTo("10.0.7.2");
    assertThat(node.roles()).containsExactly("dea");
    assertThat(node.core()).isFalse();
    assertThat(node.coreAddress()).isEqualTo("10.0.5.6:5701");
    assertThat(node.agentPort()).isEqualTo(9191);
    assertThat(node.jars()).isEqualTo("/opt/updraft");
    assertThat(DeaTemplate.marked(places)).isFalse();
    assertThat(DeaTemplate.plan(places, Map.of("UPDRAFT_CORE", "10.0.5.6")).action())
        .as("a reboot of the new DEA is an ordinary boot").isEqualTo(Action.NONE);
  }
}
