package io.updraft.common.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Loads a component's typed config: in-code defaults (the record's compact constructor),
 * overlaid by a YAML file, overlaid by environment variables, then validated.
 *
 * <p>Environment variables start with {@code UPDRAFT__} and use {@code __} between keys:
 * {@code UPDRAFT__NATS__SERVERS='[nats://10.0.5.6:4222]'} sets {@code nats.servers},
 * {@code UPDRAFT__INDEX=1} sets {@code index}. Values are read as YAML, so numbers, booleans
 * and {@code [lists]} work.
 *
 * <p>Unknown keys are errors (a typo must not silently fall back to a default). Every failure
 * is a {@link ConfigException} naming the key.
 */
public final class ConfigLoader {

  public static final String ENV_PREFIX = "UPDRAFT__";
  private static final String ENV_SEPARATOR = "__";

  private static final ObjectMapper YAML = YAMLMapper.builder(new YAMLFactory())
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .disable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
      .build();

  private ConfigLoader() {
  }

  /** Loads and validates; {@code file} may be null (defaults and environment only). */
  public static <C extends ComponentConfig> C load(Path file, Map<String, String> env,
      Class<C> type) {
    ObjectNode tree = file == null ? JsonNodeFactory.instance.objectNode() : readFile(file);
    applyEnvironment(tree, env);
    C config = bind(tree, type);
    config.validate();
    return config;
  }

  static ObjectNode readFile(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new ConfigException("--config", "no such file: " + file);
    }
    try {
      JsonNode node = YAML.readTree(file.toFile());
      if (node == null || node.isMissingNode() || node.isNull()) {
        return JsonNodeFactory.instance.objectNode();
      }
      if (!node.isObject()) {
        throw new ConfigException("--config", file + " must hold a YAML mapping of keys");
      }
      return (ObjectNode) node;
    } catch (JsonProcessingException e) {
      String where = e.getLocation() == null ? ""
          : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
      throw new ConfigException("--config", "not valid YAML" + where + ": "
          + firstLine(e.getOriginalMessage()));
    } catch (IOException e) {
      throw new ConfigException("--config", "cannot read " + file + ": " + e.getMessage());
    }
  }

  static void applyEnvironment(ObjectNode tree, Map<String, String> env) {
    // sorted, so that a parent and a child key are applied in a stable order
    for (Map.Entry<String, String> e : new TreeMap<>(env).entrySet()) {
      if (!e.getKey().startsWith(ENV_PREFIX) || e.getKey().length() == ENV_PREFIX.length()) {
        continue;
      }
      String[] path = e.getKey().substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT)
          .split(ENV_SEPARATOR);
      String key = String.join(".", path);
      ObjectNode parent = tree;
      for (int i = 0; i < path.length - 1; i++) {
        JsonNode child = parent.get(path[i]);
        if (child == null || !child.isObject()) {
          child = parent.putObject(path[i]);
        }
        parent = (ObjectNode) child;
      }
      parent.set(path[path.length - 1], parseValue(key, e.getValue()));
    }
  }

  private static JsonNode parseValue(String key, String raw) {
    try {
      JsonNode node = YAML.readTree(raw);
      return node == null || node.isMissingNode() ? JsonNodeFactory.instance.textNode(raw) : node;
    } catch (JsonProcessingException e) {
      throw new ConfigException(key, "environment value is not valid YAML: "
          + firstLine(e.getOriginalMessage()));
    }
  }

  static <C> C bind(ObjectNode tree, Class<C> type) {
    try {
      return YAML.treeToValue(tree, type);
    } catch (UnrecognizedPropertyException e) {
      throw new ConfigException(path(e), "unknown key");
    } catch (JsonMappingException e) {
      Throwable cause = e.getCause();
      if (cause instanceof ConfigException ce) {
        throw ce;
      }
      String reason = cause instanceof IllegalArgumentException ? cause.getMessage()
          : firstLine(e.getOriginalMessage());
      throw new ConfigException(path(e), reason);
    } catch (JsonProcessingException e) {
      throw new ConfigException("--config", firstLine(e.getOriginalMessage()));
    }
  }

  private static String path(JsonMappingException e) {
    StringBuilder sb = new StringBuilder();
    for (JsonMappingException.Reference ref : e.getPath()) {
      if (ref.getFieldName() != null) {
        if (sb.length() > 0) {
          sb.append('.');
        }
        sb.append(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        sb.append('[').append(ref.getIndex()).append(']');
      }
    }
    return sb.length() == 0 ? "(top level)" : sb.toString();
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "invalid value";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
