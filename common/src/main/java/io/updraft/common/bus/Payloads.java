package io.updraft.common.bus;

import com.fasterxml.jackson.databind.JsonNode;
import io.updraft.common.protocol.Empty;
import io.updraft.common.protocol.Json;

/**
 * Turns payload bytes into the body type a subscriber asked for: a protocol record,
 * {@link Empty} (any payload), {@code byte[]} (as is) or {@code JsonNode}. Every {@link Bus}
 * decodes through here so they all accept and drop the same messages.
 */
public final class Payloads {

  private Payloads() {
  }

  @SuppressWarnings("unchecked")
  public static <T> T decode(byte[] payload, Class<T> type) {
    if (type == byte[].class) {
      return (T) (payload == null ? new byte[0] : payload);
    }
    if (type == Empty.class) {
      return (T) Empty.INSTANCE;
    }
    if (type == JsonNode.class) {
      return (T) Json.tree(payload);
    }
    return Json.decode(payload, type);
  }
}
