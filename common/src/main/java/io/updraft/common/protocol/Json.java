package io.updraft.common.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The one JSON mapper of the wire protocol.
 *
 * <p>Readers are tolerant (unknown fields are ignored so newer peers may add fields, enum
 * values are matched case-insensitively, numeric strings are accepted for numbers and numbers
 * for strings, which is how CF v1 ids travel). Writers omit null fields, so optional fields
 * that were never set do not appear on the wire. Thread-safe.
 */
public final class Json {

  private static final ObjectMapper MAPPER = JsonMapper.builder()
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
      .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
      .serializationInclusion(JsonInclude.Include.NON_NULL)
      .build();

  private Json() {
  }

  /** The shared mapper; do not reconfigure it. */
  public static ObjectMapper mapper() {
    return MAPPER;
  }

  public static byte[] encode(Object value) {
    try {
      return MAPPER.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("cannot encode " + value.getClass().getSimpleName(), e);
    }
  }

  public static String encodeToString(Object value) {
    return new String(encode(value), StandardCharsets.UTF_8);
  }

  /**
   * Decodes a wire payload into {@code type}.
   *
   * @throws DecodeException when the payload is not JSON, has a field of the wrong type or
   *     lacks a required field
   */
  public static <T> T decode(byte[] payload, Class<T> type) {
    if (payload == null || payload.length == 0) {
      throw new DecodeException("empty payload, expected " + type.getSimpleName());
    }
    try {
      T value = MAPPER.readValue(payload, type);
      if (value == null) {
        throw new DecodeException("payload is JSON null, expected " + type.getSimpleName());
      }
      return value;
    } catch (IOException e) {
      throw new DecodeException(describe(e), e);
    } catch (IllegalArgumentException e) {
      throw new DecodeException(e.getMessage(), e);
    }
  }

  public static <T> T decode(String payload, Class<T> type) {
    return decode(payload.getBytes(StandardCharsets.UTF_8), type);
  }

  /** Parses any JSON document into a tree (used by tools that print unknown messages). */
  public static JsonNode tree(byte[] payload) {
    try {
      return MAPPER.readTree(payload);
    } catch (IOException e) {
      throw new DecodeException(describe(e), e);
    }
  }

  /** A one-line reason without Jackson's source excerpts (payloads may carry secrets). */
  private static String describe(IOException e) {
    if (e instanceof com.fasterxml.jackson.databind.JsonMappingException jme) {
      String path = jme.getPath().stream()
          .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
          .reduce((a, b) -> b.startsWith("[") ? a + b : a + "." + b)
          .orElse("");
      Throwable root = jme.getCause() != null ? jme.getCause() : jme;
      String reason = firstLine(root == jme ? jme.getOriginalMessage() : root.getMessage());
      return path.isEmpty() ? reason : path + ": " + reason;
    }
    if (e instanceof com.fasterxml.jackson.core.JsonProcessingException jpe) {
      return "malformed JSON: " + firstLine(jpe.getOriginalMessage());
    }
    return firstLine(e.getMessage());
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "unreadable";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
