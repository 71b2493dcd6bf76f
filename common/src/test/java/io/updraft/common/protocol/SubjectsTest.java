package io.updraft.common.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SubjectsTest {

  @Test
  void deaStartAddressesOneDea() {
    assertThat(Subjects.deaStart("0-9a1f3c0d")).isEqualTo("dea.0-9a1f3c0d.start");
  }

  @Test
  void hmRequestsTakeAnOptionalPartition() {
    assertThat(Subjects.hmRequests(null)).isEqualTo("cloudcontrollers.hm.requests");
    assertThat(Subjects.hmRequests(" ")).isEqualTo("cloudcontrollers.hm.requests");
    assertThat(Subjects.hmRequests("default")).isEqualTo("cloudcontrollers.hm.requests.default");
    assertThat(Subjects.bulkCredentials("default"))
        .isEqualTo("cloudcontroller.bulk.credentials.default");
    assertThatThrownBy(() -> Subjects.hmRequests("default.>"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("partition");
  }

  @Test
  void serviceSubjectsArePrefixedWithTheBusName() {
    assertThat(Subjects.serviceAnnounce("AuaaS")).isEqualTo("AuaaS.announce");
    assertThat(Subjects.serviceProvision("AuaaS", "pg_node_0"))
        .isEqualTo("AuaaS.provision.pg_node_0");
    assertThat(Subjects.serviceUnbind("RaaS", "redis_node_1"))
        .isEqualTo("RaaS.unbind.redis_node_1");
  }

  @ParameterizedTest
  @ValueSource(strings = {"a.b", "*", ">", "dea>", "two words", ""})
  void tokensWithSeparatorsOrWildcardsAreRejected(String token) {
    assertThatThrownBy(() -> Subjects.deaStart(token))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("dea id");
    assertThatThrownBy(() -> Subjects.serviceBind("AuaaS", token))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @ParameterizedTest(name = "{0} ~ {1} = {2}")
  @CsvSource({
      "dea.heartbeat,        dea.heartbeat,                         true",
      "dea.heartbeat,        dea.heartbeats,                        false",
      "dea.heartbeat,        dea.heartbeat.x,                       false",
      "dea.*.start,          dea.0-abc.start,                       true",
      "dea.*.start,          dea.start,                             false",
      "dea.*.start,          dea.a.b.start,                         false",
      "*.provision.*,        AuaaS.provision.pg_node_0,             true",
      "cloudcontrollers.>,   cloudcontrollers.hm.requests,          true",
      "cloudcontrollers.>,   cloudcontrollers.hm.requests.default,  true",
      "cloudcontrollers.>,   cloudcontrollers,                      false",
      ">,                    anything.at.all,                       true",
      "a.>.c,                a.b.c,                                 false"})
  void matchesFollowsNatsWildcards(String pattern, String subject, boolean expected) {
    assertThat(Subjects.matches(pattern, subject)).isEqualTo(expected);
  }
}
