package io.updraft.client.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.updraft.client.api.CloudClient;
import io.updraft.client.api.CloudException;
import io.updraft.client.config.Manifest;
import io.updraft.common.protocol.Json;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Listing and managing apps. */
final class AppCommands {

  private AppCommands() {
  }

  /** Drops every {@code KEY=…} entry from a v1 env list; returns the list. */
  static ArrayNode removeVar(ArrayNode env, String key) {
    for (int i = env.size() - 1; i >= 0; i--) {
      if (env.get(i).asText().startsWith(key + "=")) {
        env.remove(i);
      }
    }
    return env;
  }

  static List<String> uris(JsonNode app) {
    List<String> out = new ArrayList<>();
    app.path("uris").forEach(u -> out.add(u.asText()));
    return out;
  }

  @Command(name = "apps", description = "List your apps.",
      footer = {"", "Example:", "  updraft apps --json"})
  static final class Apps extends Base {
    @Override
    void run() {
      List<JsonNode> apps = session.loggedIn().apps();
      if (json) {
        ArrayNode arr = Json.mapper().createArrayNode();
        apps.forEach(arr::add);
        out().json(arr);
        return;
      }
      if (apps.isEmpty()) {
        out().line("No apps yet: 'updraft push' deploys the current directory.");
        return;
      }
      List<List<String>> rows = new ArrayList<>();
      for (JsonNode a : apps) {
        rows.add(List.of(a.path("name").asText(), out().state(a.path("state").asText()),
            a.path("runningInstances").asText("?") + "/" + a.path("instances").asInt(),
            a.path("resources").path("memory").asInt() + "M",
            String.join(", ", uris(a))));
      }
      out().table(List.of("name", "state", "instances", "memory", "urls"), rows);
    }
  }

  @Command(name = "app", description = "Show one app.", footer = {"", "Example:",
      "  updraft app blog --json"})
  static final class App extends Base {
    @Parameters(paramLabel = "NAME")
    String name;

    @Override
    void run() {
      JsonNode a = session.loggedIn().app(name);
      if (json) {
        out().json(a);
        return;
      }
      out().line(out().bold(a.path("name").asText()) + "  " + out().state(a.path("state")
          .asText()));
      out().line("instances: " + a.path("runningInstances").asText("?") + "/"
          + a.path("instances").asInt() + " running, "
          + a.path("resources").path("memory").asInt() + "M each"
          + troubled(a, session.loggedIn()));
      out().line("urls:      " + String.join(", ", uris(a)));
      out().line("framework: " + a.path("staging").path("model").asText("(detected)"));
      out().line("version:   " + a.path("version").asText());
    }
  }

  /** Indices of a started app that are not running, by state: " (1 FLAPPING, 1 DOWN)". */
  private static String troubled(JsonNode app, io.updraft.client.api.CloudClient cloud) {
    if (!"STARTED".equals(app.path("state").asText())
        || app.path("runningInstances").asInt(-1) == app.path("instances").asInt()) {
      return "";
    }
    java.util.Map<String, Integer> counts = new java.util.TreeMap<>();
    for (JsonNode i : cloud.instances(app.path("name").asText())) {
      String state = i.path("state").asText();
      if (!"RUNNING".equals(state)) {
        counts.merge(state, 1, Integer::sum);
      }
    }
    return counts.isEmpty() ? "" : " (" + String.join(", ", counts.entrySet().stream()
        .map(e -> e.getValue() + " " + e.getKey()).toList()) + ")";
  }

  @Command(name = "start", description = "Start an app and wait for its instances.",
      footer = {"", "Example:", "  updraft start blog"})
  static final class Start extends Base {
    @Parameters(paramLabel = "NAME")
    String name;

    @Override
    void run() throws InterruptedException {
      CloudClient cloud = session.loggedIn();
      cloud.start(name);
      if (!cloud.awaitRunning(name, Duration.ofSeconds(180))) {
        throw new CloudException(0, -1, name + " did not start in time; see 'updraft crashes "
            + name + "'");
      }
      out().line(name + " started");
    }
  }

  @Command(name = "stop", description = "Stop an app.",
      footer = {"", "Example:", "  updraft stop blog"})
  static final class Stop extends Base {
    @Parameters(paramLabel = "NAME")
    String name;

    @Override
    void run() {
      session.loggedIn().stop(name);
      out().line(name + " stopped");
    }
  }

  @Command(name = "restart", description = "Restart an app as a new version, rolling.",
      footer = {"", "Example:", "  updraft restart blog"})
  static final class Restart extends Base {
    @Parameters(paramLabel = "NAME")
    String name;

    @Override
    void run() throws InterruptedException {
      CloudClient cloud = session.loggedIn();
      if ("STARTED".equals(cloud.app(name).path("state").asText())) {
        cloud.redeploy(name);
      } else {
        cloud.start(name);
      }
      cloud.awaitRunning(name, Duration.ofSeconds(180));
      out().line(name + " restarted");
    }
  }

  @Command(name = "delete", description = "Delete an app.", footer = {"", "Example:",
      "  updraft delete blog --force"})
  static final class Delete extends Base {
    @Parameters(paramLabel = "NAME")
    String name;

    @Option(names = {"-f", "--force"}, description = "do not ask")
    boolean force;

    @Override
    void run() throws Exception {
      CloudClient cloud = session.loggedIn();
      cloud.app(name);
      if (!force) {
        out().line("Delete " + name + "? [y/N] ");
        String answer = new BufferedReader(new InputStreamReader(System.in,
            StandardCharsets.UTF_8)).readLine();
        if (answer == null || !answer.trim().toLowerCase().startsWith("y")) {
          throw new CloudException(0, -1, "not deleted");
        }
      }
      cloud.deleteApp(name);
      out().line(name + " deleted");
    }
  }

  @Command(name = "instances", description = "Show instances, or scale: N, +N or -N.",
      footer = {"", "Examples:", "  updraft instances blog", "  updraft instances blog +2"})
  static final class Instances extends Base {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Parameters(index = "1", arity = "0..1", paramLabel = "N|+N|-N")
    String change;

    @Override
    void run() {
      CloudClient cloud = session.loggedIn();
      if (change != null) {
        int current = cloud.app(name).path("instances").asInt();
        int wanted;
        try {
          wanted = change.startsWith("+") ? current + Integer.parseInt(change.substring(1))
              : change.startsWith("-") ? current - Integer.parseInt(change.substring(1))
              : Integer.parseInt(change);
        } catch (NumberFormatException e) {
          throw new CloudException(0, -1, "expected N, +N or -N, got '" + change + "'");
        }
        if (wanted < 0) {
          throw new CloudException(0, -1, "cannot scale " + name + " below 0 instances");
        }
        cloud.scale(name, wanted);
        out().line(name + ": " + current + " -> " + wanted + " instances");
        return;
      }
      JsonNode list = cloud.instances(name);
      if (json) {
        out().json(list);
        return;
      }
      List<List<String>> rows = new ArrayList<>();
      list.forEach(i -> rows.add(List.of(i.path("index").asText(),
          out().state(i.path("state").asText()),
          Instant.ofEpochSecond(i.path("since").asLong()).toString())));
      out().table(List.of("index", "state", "since"), rows);
    }
  }

  @Command(name = "scale", description = "Set instances and/or memory.",
      footer = {"", "Example:", "  updraft scale blog --instances 3 --memory 512M"})
  static final class Scale extends Base {
    @Parameters(paramLabel = "NAME")
    String name;

    @Option(names = {"-i", "--instances"})
    Integer instances;

    @Option(names = {"-m", "--memory"})
    String memory;

    @Override
    void run() {
      if (instances == null && memory == null) {
        throw new CloudException(0, -1, "give --instances and/or --memory");
      }
      Integer mb = memory == null ? null : Manifest.parseMemory(memory, "--memory");
      session.loggedIn().updateApp(name, a -> {
        if (instances != null) {
          a.put("instances", instances);
        }
        if (mb != null) {
          a.putObject("resources").put("memory", mb);
        }
      });
      out().line(name + " scaled");
    }
  }

  @Command(name = "mem", description = "Set memory per instance (restart to apply).",
      footer = {"", "Example:", "  updraft mem blog 512M"})
  static final class Mem extends Base {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Parameters(index = "1", paramLabel = "MEMORY")
    String memory;

    @Override
    void run() {
      int mb = Manifest.parseMemory(memory, "memory");
      session.loggedIn().updateApp(name, a -> a.putObject("resources").put("memory", mb));
      out().line(name + ": memory " + mb + "M (restart to apply)");
    }
  }

  @Command(name = "map", description = "Add a URL to an app.",
      footer = {"", "Example:", "  updraft map blog www.example.com"})
  static final class MapUrl extends Base {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Parameters(index = "1", paramLabel = "URL")
    String url;

    @Override
    void run() {
      session.loggedIn().updateApp(name, a -> ((ArrayNode) a.withArray("uris")).add(url));
      out().line(url + " -> " + name);
    }
  }

  @Command(name = "unmap", description = "Remove a URL from an app.",
      footer = {"", "Example:", "  updraft unmap blog www.example.com"})
  static final class Unmap extends Base {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Parameters(index = "1", paramLabel = "URL")
    String url;

    @Override
    void run() {
      String host = url.replaceFirst("^https?://", "").toLowerCase();
      session.loggedIn().updateApp(name, a -> {
        Iterator<JsonNode> it = a.withArray("uris").elements();
        while (it.hasNext()) {
          if (it.next().asText().equals(host)) {
            it.remove();
          }
        }
      });
      out().line(url + " unmapped from " + name);
    }
  }

  @Command(name = "stats", description = "Resource use per instance.",
      footer = {"", "Example:", "  updraft stats blog --json"})
  static final class Stats extends Base {
    @Parameters(paramLabel = "NAME")
    String name;

    @Override
    void run() {
      JsonNode stats = session.loggedIn().stats(name);
      if (json) {
        out().json(stats);
        return;
      }
      List<List<String>> rows = new ArrayList<>();
      stats.fields().forEachRemaining(e -> {
        JsonNode s = e.getValue().path("stats");
        JsonNode u = s.path("usage");
        rows.add(List.of(e.getKey(), out().state(e.getValue().path("state").asText()),
            u.has("cpu") ? String.format(java.util.Locale.ROOT, "%.1f%%", u.path("cpu").asDouble())
                : "-",
            u.has("mem") ? PushCommand.human(u.path("mem").asLong() * 1024) : "-",
            u.has("disk") ? PushCommand.human(u.path("disk").asLong()) : "-",
            s.has("uptime") ? s.path("uptime").asLong() + "s" : "-"));
      });
      out().table(List.of("instance", "state", "cpu", "memory", "disk", "uptime"), rows);
    }
  }

  @Command(name = "crashes", description = "Recent crashes of an app.",
      footer = {"", "Example:", "  updraft crashes blog"})
  static final class Crashes extends Base {
    @Parameters(paramLabel = "NAME")
    String name;

    @Override
    void run() {
      JsonNode crashes = session.loggedIn().crashes(name);
      if (json) {
        out().json(crashes);
        return;
      }
      if (crashes.isEmpty()) {
        out().line("No crashes");
        return;
      }
      List<List<String>> rows = new ArrayList<>();
      crashes.forEach(c -> rows.add(List.of(c.path("instance").asText(),
          Instant.ofEpochSecond(c.path("since").asLong()).toString())));
      out().table(List.of("instance", "since"), rows);
    }
  }

  @Command(name = "env", description = "Show an app's environment variables.",
      footer = {"", "Example:", "  updraft env blog"})
  static final class Env extends Base {
    @Parameters(paramLabel = "NAME")
    String name;

    @Override
    void run() {
      JsonNode env = session.loggedIn().app(name).path("env");
      if (json) {
        out().json(env);
        return;
      }
      env.forEach(e -> out().line(e.asText()));
    }
  }

  @Command(name = "env-add", description = "Set an environment variable (restart to apply).",
      footer = {"", "Example:", "  updraft env-add blog GREETING=hello"})
  static final class EnvAdd extends Base {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Parameters(index = "1", paramLabel = "VAR=VALUE")
    String variable;

    @Override
    void run() {
      int eq = variable.indexOf('=');
      if (eq <= 0) {
        throw new CloudException(0, -1, "expected VAR=VALUE, got '" + variable + "'");
      }
      String key = variable.substring(0, eq);
      session.loggedIn().updateApp(name, a -> removeVar(a.withArray("env"), key)
          .add(variable));
      out().line(key + " set on " + name + " (restart to apply)");
    }
  }

  @Command(name = "env-del", description = "Remove an environment variable.",
      footer = {"", "Example:", "  updraft env-del blog GREETING"})
  static final class EnvDel extends Base {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Parameters(index = "1", paramLabel = "VAR")
    String key;

    @Override
    void run() {
      session.loggedIn().updateApp(name, a -> removeVar(a.withArray("env"), key));
      out().line(key + " removed from " + name);
    }
  }

  @Command(name = "runtimes", description = "Runtimes the cloud offers.",
      footer = {"", "Example:", "  updraft runtimes"})
  static final class Runtimes extends Base {
    @Override
    void run() {
      JsonNode frameworks = session.cloud().info().path("frameworks");
      java.util.Set<String> names = new java.util.TreeSet<>();
      frameworks.forEach(f -> f.path("runtimes").forEach(r -> names.add(r.path("name")
          .asText() + "  " + r.path("description").asText())));
      names.forEach(out()::line);
    }
  }

  @Command(name = "frameworks", description = "Frameworks (buildpacks) the cloud offers.",
      footer = {"", "Example:", "  updraft frameworks --json"})
  static final class Frameworks extends Base {
    @Override
    void run() {
      JsonNode frameworks = session.cloud().info().path("frameworks");
      if (json) {
        out().json(frameworks);
        return;
      }
      frameworks.fieldNames().forEachRemaining(out()::line);
    }
  }

}
