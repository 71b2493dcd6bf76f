package io.updraft.kato.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.Map;

/** Dotted key paths ({@code crash.backoff_max_ms}) into config documents. */
public final class JsonPaths {

  private JsonPaths() {
  }

  static String[] split(String path) {
    if (path == null || path.isBlank() || path.startsWith(".") || path.endsWith(".")
        || path.contains("..")) {
      throw new IllegalArgumentException("bad key path '" + path + "' (use a.b.c)");
    }
    return path.split("\\.");
  }

  /** The value at {@code path}, or null. */
  public static JsonNode get(JsonNode doc, String path) {
    JsonNode node = doc;
    for (String part : split(path)) {
      if (node == null || !node.isObject()) {
        return null;
      }
      node = node.get(part);
    }
    return node;
  }

  /** Sets {@code path} to {@code value}, creating objects on the way. */
  public static void set(ObjectNode doc, String path, JsonNode value) {
    String[] parts = split(path);
    ObjectNode parent = doc;
    for (int i = 0; i < parts.length - 1; i++) {
      JsonNode child = parent.get(parts[i]);
      if (child == null || !child.isObject()) {
        child = parent.putObject(parts[i]);
      }
      parent = (ObjectNode) child;
    }
    parent.set(parts[parts.length - 1], value);
  }

  /** Removes {@code path}; true if something was there. Empty parents are removed too. */
  public static boolean remove(ObjectNode doc, String path) {
    String[] parts = split(path);
    return remove(doc, parts, 0);
  }

  private static boolean remove(ObjectNode node, String[] parts, int i) {
    if (i == parts.length - 1) {
      return node.remove(parts[i]) != null;
    }
    JsonNode child = node.get(parts[i]);
    if (child == null || !child.isObject()) {
      return false;
    }
    boolean removed = remove((ObjectNode) child, parts, i + 1);
    if (removed && child.isEmpty()) {
      node.remove(parts[i]);
    }
    return removed;
  }

  /** Appends to the list at {@code path} (created if absent; a scalar becomes a list). */
  public static void push(ObjectNode doc, String path, JsonNode value) {
    JsonNode current = get(doc, path);
    ArrayNode list = JsonNodeFactory.instance.arrayNode();
    if (current != null && current.isArray()) {
      list.addAll((ArrayNode) current);
    } else if (current != null && !current.isNull()) {
      list.add(current);
    }
    list.add(value);
    set(doc, path, list);
  }

  /** Removes {@code value} (every equal element; the last one when null) from a list. */
  public static boolean pop(ObjectNode doc, String path, JsonNode value) {
    JsonNode current = get(doc, path);
    if (current == null || !current.isArray() || current.isEmpty()) {
      return false;
    }
    ArrayNode list = ((ArrayNode) current).deepCopy();
    boolean removed = false;
    if (value == null) {
      list.remove(list.size() - 1);
      removed = true;
    } else {
      for (int i = list.size() - 1; i >= 0; i--) {
        if (list.get(i).equals(value)) {
          list.remove(i);
          removed = true;
        }
      }
    }
    set(doc, path, list);
    return removed;
  }

  /** Deep-merges {@code overlay} into {@code base} (objects merge, everything else replaces). */
  public static ObjectNode merge(ObjectNode base, JsonNode overlay) {
    if (overlay == null || !overlay.isObject()) {
      return base;
    }
    Iterator<Map.Entry<String, JsonNode>> fields = overlay.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> e = fields.next();
      JsonNode existing = base.get(e.getKey());
      if (existing != null && existing.isObject() && e.getValue().isObject()) {
        merge((ObjectNode) existing, e.getValue());
      } else {
        base.set(e.getKey(), e.getValue().deepCopy());
      }
    }
    return base;
  }
}
