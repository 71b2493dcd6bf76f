package io.updraft.kato.roles;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class RolesTest {

  private final Roles roles = Roles.builtIn();

  @Test
  void aliasesAndSpellingsResolveToTheCanonicalRole() {
    assertThat(roles.resolveRoles(List.of("primary", "Data-Services", "health-manager,dea")))
        .containsExactly("core", "data-services", "health_manager", "dea");
  }

  @Test
  void unknownRoleIsRejectedWithTheKnownOnes() {
    assertThatThrownBy(() -> roles.resolveRoles(List.of("dea,frobnicator")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown role 'frobnicator'")
        .hasMessageContaining("known roles: core, controller");
  }

  @Test
  void coreRunsNatsControllerRouterAndHealthManagerOnceEach() {
    assertThat(roles.processesFor(List.of("core", "controller", "router")))
        .extracting(Roles.ProcessDef::name)
        .containsExactly("nats", "cloud_controller", "router", "health_manager");
    assertThat(roles.role("core").orElseThrow().maxPerCluster()).isEqualTo(1);
  }

  @Test
  void everyServiceRoleRunsTheServicesNodeAndItsServersBeforeIt() {
    assertThat(roles.processesFor(List.of("data-services"))).extracting(Roles.ProcessDef::name)
        .containsExactly("postgresql", "mysql", "redis", "services_node");
    assertThat(roles.servicesFor(List.of("data-services")))
        .containsExactly("postgresql", "mysql", "redis", "filesystem");
    for (String r : List.of("postgresql", "mysql", "redis")) {
      assertThat(roles.processesFor(List.of(r))).extracting(Roles.ProcessDef::name)
          .containsExactly(r, "services_node");
      assertThat(roles.process(r).orElseThrow().isServer()).isTrue();
      assertThat(roles.servicesFor(List.of(r))).containsExactly(r);
    }
    assertThat(roles.processesFor(List.of("filesystem"))).extracting(Roles.ProcessDef::name)
        .containsExactly("services_node");
    assertThat(roles.servicesFor(List.of("filesystem", "redis", "dea")))
        .containsExactly("filesystem", "redis");
    assertThat(roles.processesFor(List.of("mdns"))).isEmpty();
    // the servers are processes for kato start|stop|restart and components for kato config
    assertThat(roles.resolveProcesses(List.of("postgresql", "redis")))
        .containsExactly("postgresql", "redis");
    assertThat(roles.resolveComponent("mysql")).isEqualTo("mysql");
    // Stackato's node names still mean the services node
    assertThat(roles.resolveProcesses(List.of("postgresql_node"))).containsExactly("services_node");
  }

  @Test
  void aServerTheAgentDoesNotKnowIsRefusedWhenTheFileIsRead() {
    assertThatThrownBy(() -> Roles.parse(new java.io.ByteArrayInputStream("""
        processes:
          mongodb: {server: mongodb}
        roles:
          nosql: {processes: [mongodb]}
        """.getBytes(java.nio.charset.StandardCharsets.UTF_8))))
        .hasMessageContaining("process mongodb names unknown server 'mongodb'");
  }

  @Test
  void componentsAcceptStackatoSpellings() {
    assertThat(roles.resolveComponent("cloud_controller")).isEqualTo("cloud_controller");
    assertThat(roles.resolveComponent("controller")).isEqualTo("cloud_controller");
    assertThat(roles.resolveComponent("health-manager")).isEqualTo("health_manager");
    assertThat(roles.resolveComponent("cluster")).isEqualTo("cluster");
    assertThat(roles.resolveProcesses(List.of("cc", "hm", "dea")))
        .containsExactly("cloud_controller", "health_manager", "dea");
    assertThatThrownBy(() -> roles.resolveComponent("nats"))
        .hasMessageContaining("unknown component 'nats'");
    assertThatThrownBy(() -> roles.resolveProcesses(List.of("mongodb")))
        .hasMessageContaining("unknown component 'mongodb'");
  }
}
