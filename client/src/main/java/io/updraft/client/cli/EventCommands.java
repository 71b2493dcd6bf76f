package io.updraft.client.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.updraft.client.api.CloudClient;
import io.updraft.client.api.CloudException;
import io.updraft.common.protocol.Json;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The cloud events log and the manual DEA pool trigger (administrators). */
final class EventCommands {

  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

  private EventCommands() {
  }

  @Command(name = "events", description = "Show the cloud's events, newest first "
      + "(scaling decisions and actions); administrators only.",
      footer = {"", "Examples:", "  updraft events", "  updraft events --kind scaling -n 20"})
  static final class Events extends Base {
    @Option(names = {"-n", "--limit"}, description = "How many (default 50).")
    int limit = 50;

    @Option(names = "--kind", description = "Only kinds starting with this, e.g. scaling.")
    String kind;

    @Override
    void run() {
      if (limit < 1 || limit > 1000) {
        throw new CloudException(0, -1, "--limit must be between 1 and 1000");
      }
      List<JsonNode> events = session.loggedIn().events(limit, kind);
      if (json) {
        out().json(Json.mapper().valueToTree(events));
        return;
      }
      if (events.isEmpty()) {
        out().line("No events.");
        return;
      }
      List<List<String>> rows = new ArrayList<>();
      for (JsonNode e : events) {
        rows.add(List.of(TIME.format(Instant.ofEpochSecond(e.path("at").asLong())),
            e.path("kind").asText(), e.path("actor").asText(), e.path("message").asText()));
      }
      out().table(List.of("time (UTC)", "kind", "by", "what"), rows);
    }
  }

  @Command(name = "scale-pool", description = "Grow the DEA pool now by N DEAs through the "
      + "controller's scaling platform (tests and demos); administrators only.",
      footer = {"", "Example:", "  updraft scale-pool 1"})
  static final class ScalePool extends Base {
    @Parameters(index = "0", arity = "0..1", description = "DEAs to add (default 1).")
    Integer count;

    @Override
    void run() {
      int n = count == null ? 1 : count;
      CloudClient cloud = session.loggedIn();
      JsonNode r = cloud.scalePool(n);
      if (json) {
        out().json(r);
        return;
      }
      List<String> nodes = new ArrayList<>();
      r.path("nodes").forEach(x -> nodes.add(x.asText()));
      out().line("Launched " + nodes.size() + " DEA node(s) on " + r.path("platform").asText()
          + ": " + String.join(", ", nodes));
    }
  }
}
