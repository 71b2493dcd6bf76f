package io.updraft.kato.nats;

import static org.assertj.core.api.Assertions.assertThat;

import io.updraft.common.protocol.Json;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class TailFormatterTest {

  private static final Instant T = Instant.parse("2026-11-24T21:40:01.123Z");
  private static final byte[] ADVERT =
      "{\"id\":\"0-abc\",\"available_memory\":3584,\"runtimes\":[\"java\"],\"new_field\":1}"
          .getBytes(StandardCharsets.UTF_8);

  private static TailFormatter formatter(TailFormatter.Style style) {
    return new TailFormatter(style, false, ZoneOffset.UTC);
  }

  @Test
  void lineShowsTimeSubjectTypeAndPayloadAsSent() {
    String line = formatter(TailFormatter.Style.LINE).format(T, "dea.advertise", null, ADVERT);
    assertThat(line).isEqualTo("21:40:01.123 dea.advertise DeaAdvertise "
        + "{\"id\":\"0-abc\",\"available_memory\":3584,\"runtimes\":[\"java\"],\"new_field\":1}");
  }

  @Test
  void parameterisedSubjectsAreRecognised() {
    String line = formatter(TailFormatter.Style.LINE).format(T, "dea.0-abc.start", null,
        "{}".getBytes(StandardCharsets.UTF_8));
    assertThat(line).contains("dea.0-abc.start DeaStartRequest !malformed(");
  }

  @Test
  void repliesAreLabelledWithTheRequestTheyAnswer() {
    TailFormatter f = formatter(TailFormatter.Style.LINE);
    String request = f.format(T, "dea.discover", "_INBOX.x1",
        "{\"droplet\":\"42\",\"limits\":{\"mem\":128}}".getBytes(StandardCharsets.UTF_8));
    String reply = f.format(T, "_INBOX.x1", null, ADVERT);
    assertThat(request).contains("dea.discover \u2192 _INBOX.x1 DeaDiscoverRequest");
    assertThat(reply).startsWith("21:40:01.123 _INBOX.x1 (reply to dea.discover) {");
  }

  @Test
  void malformedMessagesAreFlaggedAndStillShown() {
    String line = formatter(TailFormatter.Style.LINE).format(T, "dea.advertise", null,
        "{\"available_memory\":1}".getBytes(StandardCharsets.UTF_8));
    assertThat(line).contains("!malformed(missing required field 'id')")
        .endsWith("{\"available_memory\":1}");
    String notJson = formatter(TailFormatter.Style.LINE).format(T, "dea.advertise", null,
        "hello".getBytes(StandardCharsets.UTF_8));
    assertThat(notJson).contains("!malformed(malformed JSON").endsWith(" hello");
  }

  @Test
  void jsonStyleIsOneParseableObjectPerLine() {
    String line = formatter(TailFormatter.Style.JSON).format(T, "dea.advertise", "_INBOX.9",
        ADVERT);
    var node = Json.tree(line.getBytes(StandardCharsets.UTF_8));
    assertThat(line).doesNotContain("\n");
    assertThat(node.get("subject").asText()).isEqualTo("dea.advertise");
    assertThat(node.get("reply").asText()).isEqualTo("_INBOX.9");
    assertThat(node.get("type").asText()).isEqualTo("DeaAdvertise");
    assertThat(node.get("message").get("available_memory").asInt()).isEqualTo(3584);
    assertThat(node.get("time").asText()).isEqualTo("2026-11-24T21:40:01.123Z");
  }

  @Test
  void rawStylePrintsThePayloadExactlyAndUnknownSubjectsHaveNoType() {
    String line = formatter(TailFormatter.Style.RAW).format(T, "custom.thing", null,
        "{ \"a\" : 1 }".getBytes(StandardCharsets.UTF_8));
    assertThat(line).isEqualTo("21:40:01.123 custom.thing { \"a\" : 1 }");
  }

  @Test
  void coloursOnlyWhenAsked() {
    String plain = formatter(TailFormatter.Style.LINE).format(T, "dea.advertise", null, ADVERT);
    String coloured = new TailFormatter(TailFormatter.Style.LINE, true, ZoneOffset.UTC)
        .format(T, "dea.advertise", null, ADVERT);
    assertThat(plain).doesNotContain("\u001b[");
    assertThat(coloured).contains("\u001b[1mdea.advertise\u001b[0m");
  }
}
