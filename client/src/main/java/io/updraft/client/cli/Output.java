package io.updraft.client.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * How the client prints: aligned tables for people, JSON for scripts ({@code --json}), colour
 * only on a terminal and never with {@code NO_COLOR}.
 */
final class Output {

  private final PrintWriter out;
  private final boolean color;

  Output(PrintWriter out, boolean color) {
    this.out = out;
    this.color = color;
  }

  static boolean colorWanted(java.util.Map<String, String> env) {
    return System.console() != null && !env.containsKey("NO_COLOR")
        && !"dumb".equals(env.get("TERM"));
  }

  void line(String text) {
    out.println(text);
    out.flush();
  }

  void json(JsonNode node) {
    out.println(node.toPrettyString());
    out.flush();
  }

  String bold(String s) {
    return color ? "\u001b[1m" + s + "\u001b[0m" : s;
  }

  /** Green for running, red for crashed/down/flapping, yellow for the rest. */
  String state(String s) {
    if (!color || s == null) {
      return String.valueOf(s);
    }
    String code = switch (s) {
      case "RUNNING", "STARTED" -> "32";
      case "CRASHED", "DOWN", "FLAPPING", "FAILED" -> "31";
      default -> "33";
    };
    return "\u001b[" + code + "m" + s + "\u001b[0m";
  }

  /** Prints rows under a header, columns padded to their widest cell (colour codes ignored). */
  void table(List<String> header, List<List<String>> rows) {
    List<List<String>> all = new ArrayList<>();
    all.add(header);
    all.addAll(rows);
    int[] widths = new int[header.size()];
    for (List<String> row : all) {
      for (int i = 0; i < row.size(); i++) {
        widths[i] = Math.max(widths[i], visible(row.get(i)).length());
      }
    }
    for (int r = 0; r < all.size(); r++) {
      StringBuilder sb = new StringBuilder();
      List<String> row = all.get(r);
      for (int i = 0; i < row.size(); i++) {
        String cell = r == 0 ? bold(row.get(i)) : row.get(i);
        sb.append(cell);
        if (i < row.size() - 1) {
          sb.append(" ".repeat(widths[i] - visible(row.get(i)).length() + 2));
        }
      }
      out.println(sb.toString().stripTrailing());
    }
    out.flush();
  }

  private static String visible(String s) {
    return s == null ? "" : s.replaceAll("\u001b\\[[0-9;]*m", "");
  }
}
