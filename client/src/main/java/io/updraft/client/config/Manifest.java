package io.updraft.client.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.updraft.client.api.CloudException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An app's {@code manifest.yml} (or Stackato's {@code stackato.yml}): name, memory, instances,
 * command, env, url/urls, services, framework/buildpack. Cloud Foundry's
 * {@code applications: [ {...} ]} form is read too (its first app).
 */
public record Manifest(String name, Integer memoryMb, Integer instances, String command,
    Map<String, String> env, List<String> urls, List<String> services, String framework,
    Path file) {

  public static final Manifest NONE = new Manifest(null, null, null, null, Map.of(), List.of(),
      List.of(), null, null);

  /** The manifest in {@code dir}, or {@link #NONE}; a malformed one names file and line. */
  public static Manifest read(Path dir) {
    for (String name : List.of("manifest.yml", "manifest.yaml", "stackato.yml")) {
      Path file = dir.resolve(name);
      if (Files.isRegularFile(file)) {
        return parse(file);
      }
    }
    return NONE;
  }

  static Manifest parse(Path file) {
    JsonNode root;
    try {
      root = new YAMLMapper().readTree(file.toFile());
    } catch (JsonProcessingException e) {
      String where = e.getLocation() == null ? "" : " line " + e.getLocation().getLineNr();
      throw new CloudException(0, -1, file.getFileName() + where + ": not valid YAML ("
          + firstLine(e.getOriginalMessage()) + ")");
    } catch (IOException e) {
      throw new CloudException(0, -1, "cannot read " + file + ": " + e.getMessage());
    }
    if (root == null || root.isNull() || root.isMissingNode()) {
      return new Manifest(null, null, null, null, Map.of(), List.of(), List.of(), null, file);
    }
    if (!root.isObject()) {
      throw new CloudException(0, -1, file.getFileName() + ": expected a mapping of keys");
    }
    JsonNode app = root.path("applications").isArray() && root.path("applications").size() > 0
        ? root.path("applications").get(0) : root;
    Map<String, String> env = new LinkedHashMap<>();
    app.path("env").fields().forEachRemaining(e -> env.put(e.getKey(), e.getValue().asText()));
    List<String> urls = new ArrayList<>();
    if (app.has("url")) {
      urls.add(app.path("url").asText());
    }
    app.path("urls").forEach(u -> urls.add(u.asText()));
    app.path("routes").forEach(r -> urls.add(r.path("route").asText(r.asText())));
    List<String> services = new ArrayList<>();
    JsonNode svc = app.path("services");
    if (svc.isArray()) {
      svc.forEach(s -> services.add(s.asText()));
    } else if (svc.isObject()) {
      svc.fieldNames().forEachRemaining(services::add);
    }
    String framework = text(app, "framework");
    if (framework == null) {
      framework = text(app, "buildpack");
    }
    if (app.path("framework").isObject()) {
      framework = text(app.path("framework"), "type");
    }
    String command = text(app, "command");
    if (command == null) {
      command = text(app.path("processes"), "web");
    }
    return new Manifest(text(app, "name"), memory(app.path("memory"), file),
        app.has("instances") ? number(app.path("instances"), "instances", file) : null,
        command, env, urls, services, framework, file);
  }

  private static String text(JsonNode node, String field) {
    JsonNode v = node.path(field);
    return v.isMissingNode() || v.isNull() || !v.isValueNode() ? null : v.asText();
  }

  private static int number(JsonNode v, String key, Path file) {
    if (v.canConvertToInt() || v.asText().matches("\\d+")) {
      return v.asInt();
    }
    throw new CloudException(0, -1, file.getFileName() + ": " + key + " must be a number, got '"
        + v.asText() + "'");
  }

  /** {@code 256}, {@code 256M}, {@code 1G} in MB. */
  static Integer memory(JsonNode v, Path file) {
    if (v.isMissingNode() || v.isNull()) {
      return null;
    }
    return parseMemory(v.asText(), file.getFileName().toString());
  }

  public static int parseMemory(String text, String where) {
    String t = text.trim().toUpperCase();
    try {
      if (t.endsWith("G") || t.endsWith("GB")) {
        return Integer.parseInt(t.replaceAll("G[B]?$", "")) * 1024;
      }
      return Integer.parseInt(t.replaceAll("M[B]?$", ""));
    } catch (NumberFormatException e) {
      throw new CloudException(0, -1, where + ": memory must look like 256M or 1G, got '"
          + text + "'");
    }
  }

  private static String firstLine(String s) {
    int nl = s == null ? -1 : s.indexOf('\n');
    return s == null ? "" : nl < 0 ? s : s.substring(0, nl);
  }
}
