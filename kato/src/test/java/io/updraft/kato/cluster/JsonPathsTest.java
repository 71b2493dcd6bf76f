package io.updraft.kato.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

class JsonPathsTest {

  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  @Test
  void setGetRemoveNestedKeys() {
    ObjectNode doc = F.objectNode();
    JsonPaths.set(doc, "crash.backoff_max_ms", F.numberNode(20000));
    JsonPaths.set(doc, "enable_autoscaling", F.booleanNode(true));
    assertThat(JsonPaths.get(doc, "crash.backoff_max_ms").asInt()).isEqualTo(20000);
    assertThat(JsonPaths.remove(doc, "crash.backoff_max_ms")).isTrue();
    assertThat(doc.has("crash")).isFalse();
    assertThat(JsonPaths.remove(doc, "crash.backoff_max_ms")).isFalse();
    assertThat(doc.toString()).isEqualTo("{\"enable_autoscaling\":true}");
  }

  @Test
  void pushAndPopLists() {
    ObjectNode doc = F.objectNode();
    JsonPaths.push(doc, "allowed", F.textNode("a"));
    JsonPaths.push(doc, "allowed", F.textNode("b"));
    JsonPaths.push(doc, "allowed", F.textNode("a"));
    assertThat(doc.get("allowed").toString()).isEqualTo("[\"a\",\"b\",\"a\"]");
    assertThat(JsonPaths.pop(doc, "allowed", F.textNode("a"))).isTrue();
    assertThat(doc.get("allowed").toString()).isEqualTo("[\"b\"]");
    assertThat(JsonPaths.pop(doc, "allowed", null)).isTrue();
    assertThat(JsonPaths.pop(doc, "allowed", null)).isFalse();
  }

  @Test
  void mergeOverlaysObjectsDeeply() throws Exception {
    ObjectMapper m = new ObjectMapper();
    ObjectNode base = (ObjectNode) m.readTree("{\"nats\":{\"user\":\"u\",\"password\":\"p\"},\"port\":1}");
    JsonPaths.merge(base, m.readTree("{\"nats\":{\"user\":\"x\"},\"port\":2,\"new\":[1]}"));
    assertThat(base.toString())
        .isEqualTo("{\"nats\":{\"user\":\"x\",\"password\":\"p\"},\"port\":2,\"new\":[1]}");
  }

  @Test
  void badPathsAreRejected() {
    assertThatThrownBy(() -> JsonPaths.get(F.objectNode(), "a..b"))
        .hasMessageContaining("bad key path");
    assertThatThrownBy(() -> JsonPaths.set(F.objectNode(), ".a", F.nullNode()))
        .hasMessageContaining("bad key path");
  }
}
