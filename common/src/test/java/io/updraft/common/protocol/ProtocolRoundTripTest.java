package io.updraft.common.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.updraft.common.protocol.ProtocolSamples.Sample;
import io.updraft.common.protocol.component.ComponentDiscover;
import io.updraft.common.protocol.dea.DeaStartRequest;
import io.updraft.common.protocol.dea.DeaStopRequest;
import io.updraft.common.protocol.dea.FindDropletReply;
import io.updraft.common.protocol.dea.FindDropletRequest;
import io.updraft.common.protocol.dea.Heartbeat;
import io.updraft.common.protocol.dea.InstanceState;
import io.updraft.common.protocol.dea.Limits;
import io.updraft.common.protocol.droplet.DropletExited;
import io.updraft.common.protocol.droplet.ExitReason;
import io.updraft.common.protocol.health.BulkCredentials;
import io.updraft.common.protocol.health.HmRequest;
import io.updraft.common.protocol.health.ScaleRequest;
import io.updraft.common.protocol.router.RouteRegistration;
import io.updraft.common.protocol.services.BindRequest;
import io.updraft.common.protocol.services.NodeResponse;
import io.updraft.common.protocol.services.ProvisionRequest;
import io.updraft.common.protocol.services.UnbindRequest;
import io.updraft.common.protocol.services.UnprovisionRequest;
import io.updraft.common.protocol.staging.StagingRequest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every message decodes from its sample and re-encodes to the same JSON; decoding is tolerant. */
class ProtocolRoundTripTest {

  private static final String SECRET = "s3cr3t";

  static List<Sample> samples() {
    return ProtocolSamples.all();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("samples")
  void sampleDecodesAndReencodesToTheSameJson(Sample sample) {
    WireMessage message = sample.decode();

    assertThat(message).isInstanceOf(sample.type());
    JsonNode expected = Json.tree(sample.bytes());
    JsonNode actual = Json.tree(message.toJson());
    assertThat(ProtocolSamples.sameJson(actual, expected))
        .as("re-encoded %s%n  got:      %s%n  expected: %s", sample, actual, expected)
        .isTrue();
    assertThat(sample.decode()).as("decoding is deterministic").isEqualTo(message);
    assertThat(Json.decode(message.toJson(), sample.type())).as("decode(encode(m))")
        .isEqualTo(message);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("samples")
  void logViewIsShortAndNamesTheType(Sample sample) {
    String view = sample.decode().logView();

    assertThat(view).startsWith(sample.type().getSimpleName()).doesNotContain("\n")
        .hasSizeLessThan(300);
  }

  @Test
  void numericIdsOfOlderGenerationsDecodeAsStrings() {
    DropletExited exited = DropletExited.fromJson(bytes(
        "{'droplet':42,'instance':'e5f6','index':1,'reason':'CRASHED'}"));
    Heartbeat heartbeat = Heartbeat.fromJson(bytes(
        "{'dea':'d1','droplets':[{'droplet':42,'instance':'b3c4','index':0,'state':'RUNNING'}]}"));
    StagingRequest staging = StagingRequest.fromJson(bytes("{'app_id':42,'properties':{},"
        + "'download_uri':'http://h/d','upload_uri':'http://h/u'}"));
    RouteRegistration route = RouteRegistration.fromJson(bytes(
        "{'host':'10.0.0.7','port':61023,'app':42}"));

    assertThat(exited.droplet()).isEqualTo("42");
    assertThat(heartbeat.droplets().get(0).droplet()).isEqualTo("42");
    assertThat(staging.appId()).isEqualTo("42");
    assertThat(route.app()).isEqualTo("42");
    assertThat(Json.tree(exited.toJson()).get("droplet").isTextual()).as("written as a string")
        .isTrue();
  }

  @Test
  void unknownFieldsAreIgnored() {
    HmRequest request = HmRequest.fromJson(bytes(
        "{'droplet':'42','op':'STOP','instances':['a'],'future':{'nested':[1,2]},'x':null}"));

    assertThat(request)
        .isEqualTo(new HmRequest("42", HmRequest.Op.STOP, null, null, null, null, List.of("a")));
    assertThat(text(request.toJson())).doesNotContain("future");
  }

  @Test
  void scalarsSentAsStringsDecode() {
    DropletExited exited = DropletExited.fromJson(bytes("{'droplet':'42','instance':'e5f6',"
        + "'index':'1','reason':'crashed','crash_timestamp':'1339000123'}"));

    assertThat(exited.index()).isEqualTo(1);
    assertThat(exited.crashTimestamp()).isEqualTo(1_339_000_123L);
    assertThat(exited.reason()).as("enums are case-insensitive").isEqualTo(ExitReason.CRASHED);
  }

  static Stream<Arguments> missingRequiredFields() {
    return Stream.of(
        Arguments.of(DropletExited.class, "{'instance':'e5f6','index':1,'reason':'CRASHED'}",
            "droplet"),
        Arguments.of(Heartbeat.class, "{'droplets':[{'droplet':'42','index':0,'state':'RUNNING'}]}",
            "droplets[0]: missing required field 'instance'"),
        Arguments.of(DeaStartRequest.class, "{'droplet':'42','index':0,'executableUri':'http://x'}",
            "sha1"),
        Arguments.of(DeaStopRequest.class, "{'version':'v'}", "droplet"),
        Arguments.of(HmRequest.class, "{'droplet':'42'}", "op"),
        Arguments.of(ScaleRequest.class, "{'op':'scaledown'}", "dea_id"),
        Arguments.of(RouteRegistration.class, "{'host':'10.0.0.7','uris':['a']}", "port"),
        Arguments.of(StagingRequest.class,
            "{'app_id':'42','properties':{},'download_uri':'http://h/d'}", "upload_uri"),
        Arguments.of(BulkCredentials.class, "{'user':'bulk_api'}", "password"));
  }

  @ParameterizedTest(name = "{0} without {2}")
  @MethodSource("missingRequiredFields")
  void missingRequiredFieldIsADecodeExceptionNamingIt(Class<?> type, String json, String field) {
    assertThatThrownBy(() -> Json.decode(bytes(json), type))
        .isInstanceOf(DecodeException.class)
        .hasMessageContaining("missing required field")
        .hasMessageContaining(field);
  }

  @Test
  void wrongTypeIsADecodeExceptionNamingTheField() {
    assertThatThrownBy(() -> Heartbeat.fromJson(bytes("{'dea':'d1','droplets':'x'}")))
        .isInstanceOf(DecodeException.class)
        .hasMessageStartingWith("droplets:");
    assertThatThrownBy(() -> DropletExited.fromJson(bytes(
        "{'droplet':'42','instance':'e','index':1,'reason':'EXPLODED'}")))
        .isInstanceOf(DecodeException.class)
        .hasMessageStartingWith("reason:");
  }

  @Test
  void nonJsonIsADecodeExceptionSayingMalformed() {
    assertThatThrownBy(() -> Heartbeat.fromJson("not json".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(DecodeException.class)
        .hasMessageContaining("malformed");
    assertThatThrownBy(() -> Heartbeat.fromJson("{\"dea\":".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(DecodeException.class)
        .hasMessageContaining("malformed");
    assertThatThrownBy(() -> Heartbeat.fromJson(new byte[0]))
        .isInstanceOf(DecodeException.class)
        .hasMessageContaining("empty payload");
  }

  @Test
  void findDropletAcceptsInstanceIdsAndWritesInstances() {
    FindDropletRequest legacyCc = FindDropletRequest.fromJson(bytes(
        "{'droplet':'42','instance_ids':['a','b']}"));
    FindDropletRequest both = FindDropletRequest.fromJson(bytes(
        "{'droplet':'42','instances':['a'],'instance_ids':['a','c']}"));

    assertThat(legacyCc.instances()).containsExactly("a", "b");
    assertThat(legacyCc.instanceIds()).isNull();
    assertThat(both.instances()).containsExactly("a", "c");
    JsonNode written = Json.tree(legacyCc.toJson());
    assertThat(written.has("instance_ids")).isFalse();
    assertThat(written.get("instances").toString()).isEqualTo("[\"a\",\"b\"]");
  }

  @Test
  void absentFilterSelectsEverythingButAnEmptyOneSelectsNothing() {
    DeaStopRequest all = DeaStopRequest.fromJson(bytes("{'droplet':42}"));
    DeaStopRequest none = DeaStopRequest.fromJson(bytes("{'droplet':'42','instances':[]}"));
    FindDropletRequest running = FindDropletRequest.fromJson(bytes(
        "{'droplet':'42','version':'v1','states':['RUNNING']}"));

    assertThat(all.selects("42", "v9", "i1", 3, InstanceState.CRASHED)).isTrue();
    assertThat(all.selects("43", "v9", "i1", 3, InstanceState.CRASHED)).isFalse();
    assertThat(none.selects("42", "v9", "i1", 3, InstanceState.RUNNING)).isFalse();
    assertThat(running.selects("42", "v1", "i1", 0, InstanceState.RUNNING)).isTrue();
    assertThat(running.selects("42", "v1", "i1", 0, InstanceState.STARTING)).isFalse();
    assertThat(running.selects("42", "v2", "i1", 0, InstanceState.RUNNING)).isFalse();
    assertThat(Json.tree(all.toJson()).toString()).isEqualTo("{\"droplet\":\"42\"}");
  }

  @Test
  void scaleRequestOpIsLowerCaseOnTheWire() {
    ScaleRequest lower = ScaleRequest.fromJson(bytes("{'op':'scaleup'}"));
    ScaleRequest upper = ScaleRequest.fromJson(bytes("{'op':'SCALEUP','count':'2'}"));

    assertThat(lower.op()).isEqualTo(ScaleRequest.Op.SCALEUP);
    assertThat(upper.op()).isEqualTo(ScaleRequest.Op.SCALEUP);
    assertThat(upper.count()).isEqualTo(2);
    assertThat(text(lower.toJson())).isEqualTo("{\"op\":\"scaleup\"}");
    assertThat(text(new ScaleRequest(ScaleRequest.Op.SCALEDOWN, null, null, "dea-1", null,
        null, null, null).toJson()))
        .isEqualTo("{\"op\":\"scaledown\",\"dea_id\":\"dea-1\"}");
  }

  @Test
  void hmRequestOpIsCaseInsensitiveAndOptionalListsAreNotWritten() {
    HmRequest start = HmRequest.fromJson(bytes("{'droplet':'42','op':'start','indices':[0]}"));

    assertThat(start.op()).isEqualTo(HmRequest.Op.START);
    assertThat(start.instances()).isEmpty();
    assertThat(Json.tree(start.toJson()).has("instances")).isFalse();
  }

  @Test
  void nullValuesInsideMapsReadAsAbsentKeys() {
    DeaStartRequest start = DeaStartRequest.fromJson(
        ProtocolSamples.read("protocol-samples/dea.uuid.start.json"));

    assertThat(start.runtimeInfo().environment()).isEmpty();
    assertThat(Json.tree(start.toJson()).at("/runtime_info/environment").toString())
        .isEqualTo("{}");
    assertThat(start.runtimeName()).isEqualTo("ruby19");
    assertThat(start.limits().withDefaults()).isEqualTo(start.limits());
    assertThat(new Limits(256, null, null).withDefaults()).isEqualTo(new Limits(256, 256, 1024));
  }

  @Test
  void decodedMessagesAreImmutable() {
    RouteRegistration route = RouteRegistration.fromJson(
        ProtocolSamples.read("protocol-samples/router.register.json"));

    assertThatThrownBy(() -> route.uris().add("evil.example.com"))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> route.tags().put("x", "y"))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  static Stream<Arguments> messagesWithSecrets() {
    Map<String, Object> creds = Map.of("name", "d7c", "user", "u1", "password", SECRET);
    return Stream.of(
        Arguments.of(ComponentDiscover.fromJson(bytes("{'type':'DEA','uuid':'0-ab',"
            + "'host':'10.0.0.7:1','credentials':['admin','" + SECRET + "']}"))),
        Arguments.of(FindDropletReply.fromJson(bytes("{'dea':'d','droplet':'42','instance':'i',"
            + "'index':0,'state':'RUNNING','credentials':['u','" + SECRET + "']}"))),
        Arguments.of(new BulkCredentials("bulk_api", SECRET)),
        Arguments.of(StagingRequest.fromJson(bytes("{'app_id':'42','properties':{"
            + "'environment':['API_KEY=" + SECRET + "'],'services':[{'name':'db','credentials':"
            + "{'password':'" + SECRET + "'}}]},"
            + "'download_uri':'http://stg:" + SECRET + "@10.0.0.2:9022/staging/app/42',"
            + "'upload_uri':'http://stg:" + SECRET + "@10.0.0.2:9022/staging/droplet/42/5d'}"))),
        Arguments.of(DeaStartRequest.fromJson(bytes("{'droplet':'42','index':0,'sha1':'abc',"
            + "'executableUri':'http://cc/d','env':['DB_PASS=" + SECRET + "'],"
            + "'services':[{'name':'db','credentials':{'password':'" + SECRET + "'}}]}"))),
        Arguments.of(new ProvisionRequest("free", "9.1", creds)),
        Arguments.of(NodeResponse.ok(creds)),
        Arguments.of(new UnprovisionRequest("d7c", List.of(creds))),
        Arguments.of(new BindRequest("d7c", Map.of(), creds)),
        Arguments.of(new UnbindRequest(creds)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("messagesWithSecrets")
  void logViewAndToStringNeverShowSecrets(WireMessage message) {
    assertThat(text(message.toJson())).as("on the wire")
        .contains(SECRET);
    assertThat(message.logView()).doesNotContain(SECRET);
    assertThat(message.toString()).doesNotContain(SECRET);
  }

  @Test
  void stagingLogViewKeepsTheUriWithoutUserInfo() {
    StagingRequest staging = StagingRequest.fromJson(
        ProtocolSamples.read("protocol-samples/staging.json"));

    assertThat(staging.logView()).contains("10.0.0.2:9022/staging/app/42").doesNotContain("secret");
  }

  /** JSON written with single quotes, for readable test literals. */
  private static byte[] bytes(String singleQuoted) {
    return singleQuoted.replace('\'', '"').getBytes(StandardCharsets.UTF_8);
  }

  private static String text(byte[] payload) {
    return new String(payload, StandardCharsets.UTF_8);
  }
}
