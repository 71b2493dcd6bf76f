package io.updraft.controller.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.updraft.common.protocol.DecodeException;
import io.updraft.common.protocol.Json;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads request bodies the way legacy clients send them: the Tcl client sends every scalar as a
 * string ({@code "instances":"1"}, {@code "stack":"null"}), so numbers and nulls are accepted
 * in string form. A non-empty body that is not JSON is 400/100.
 */
final class Bodies {

  private Bodies() {
  }

  /** The JSON body, or a missing node when the body is empty. */
  static JsonNode json(RoutingContext ctx) {
    Buffer body = ctx.body().buffer();
    if (body == null || body.length() == 0 || body.toString().isBlank()) {
      return MissingNode.getInstance();
    }
    try {
      return Json.tree(body.getBytes());
    } catch (DecodeException e) {
      throw ApiError.badRequest("Bad request: the body is not valid JSON");
    }
  }

  static boolean isNull(JsonNode node) {
    return node == null || node.isMissingNode() || node.isNull()
        || (node.isTextual() && node.asText().equals("null"));
  }

  static String text(JsonNode parent, String field) {
    JsonNode node = parent.path(field);
    if (isNull(node)) {
      return null;
    }
    if (!node.isValueNode()) {
      throw ApiError.badRequest("Bad request: " + field + " must be a string");
    }
    return node.asText();
  }

  static Integer integer(JsonNode parent, String field) {
    JsonNode node = parent.path(field);
    if (isNull(node)) {
      return null;
    }
    if (node.isIntegralNumber()) {
      return node.asInt();
    }
    if (node.isTextual() && node.asText().trim().matches("-?\\d{1,9}")) {
      return Integer.parseInt(node.asText().trim());
    }
    throw ApiError.badRequest("Bad request: " + field + " must be a whole number");
  }

  static List<String> strings(JsonNode parent, String field) {
    JsonNode node = parent.path(field);
    if (isNull(node)) {
      return null;
    }
    if (!node.isArray()) {
      throw ApiError.badRequest("Bad request: " + field + " must be a list");
    }
    List<String> out = new ArrayList<>();
    for (JsonNode element : node) {
      if (!element.isValueNode() || element.isNull()) {
        throw ApiError.badRequest("Bad request: " + field + " must be a list of strings");
      }
      out.add(element.asText());
    }
    return out;
  }
}
