package io.updraft.common.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.updraft.common.protocol.ProtocolSamples.Sample;
import io.updraft.common.protocol.dea.DeaStartRequest;
import io.updraft.common.protocol.dea.Heartbeat;
import io.updraft.common.protocol.health.HmRequest;
import io.updraft.common.protocol.services.BindRequest;
import io.updraft.common.protocol.services.NodeAnnouncement;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class MessageCatalogTest {

  @Test
  void exactSubjects() {
    assertThat(MessageCatalog.typeFor(Subjects.DEA_HEARTBEAT)).contains(Heartbeat.class);
    assertThat(MessageCatalog.typeFor(Subjects.DEA_LOCATE)).contains(Empty.class);
  }

  @Test
  void parameterisedSubjects() {
    assertThat(MessageCatalog.typeFor(Subjects.deaStart("0-9a1f"))).contains(DeaStartRequest.class);
    assertThat(MessageCatalog.typeFor(Subjects.hmRequests(null))).contains(HmRequest.class);
    assertThat(MessageCatalog.typeFor(Subjects.hmRequests("default"))).contains(HmRequest.class);
    assertThat(MessageCatalog.typeFor(Subjects.serviceAnnounce("AuaaS")))
        .contains(NodeAnnouncement.class);
    assertThat(MessageCatalog.typeFor(Subjects.serviceBind("AuaaS", "pg_node_0")))
        .contains(BindRequest.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"_INBOX.k3j4h5", "_INBOX.bind.x", "router.active_apps",
      "vcap.cc.events", "no.such.subject", "AuaaS.check_orphan"})
  void repliesAndUntypedSubjectsHaveNoType(String subject) {
    assertThat(MessageCatalog.typeFor(subject)).isEmpty();
  }

  static List<Sample> published() {
    return ProtocolSamples.published();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("published")
  void everyPublishedSampleIsTypedByItsSubject(Sample sample) {
    assertThat(MessageCatalog.typeFor(sample.subject())).contains(sample.type());
  }

  @Test
  void everyTypeHasAStaticFromJson() throws NoSuchMethodException {
    for (Class<? extends WireMessage> type : MessageCatalog.entries().values()) {
      if (type != Empty.class) {
        assertThat(type.getMethod("fromJson", byte[].class).getReturnType()).isEqualTo(type);
      }
    }
  }
}
