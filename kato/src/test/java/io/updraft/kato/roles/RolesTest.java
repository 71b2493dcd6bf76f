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
  void everyServiceRoleRunsTheServicesNode() {
    for (String r : List.of("data-services", "postgresql", "mysql", "redis", "filesystem")) {
      assertThat(roles.processesFor(List.of(r))).extracting(Roles.ProcessDef::name)
          .containsExactly("services_node");
    }
    assertThat(roles.processesFor(List.of("mdns"))).isEmpty();
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
