package io.updraft.client.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.updraft.client.api.AppArchive;
import io.updraft.client.api.CloudClient;
import io.updraft.client.api.CloudException;
import io.updraft.client.config.Manifest;
import io.updraft.common.protocol.Json;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code updraft push [NAME]}: creates or updates the app from the directory (and its
 * manifest), uploads only what the cloud lacks, stages, starts (a running app rolls to the new
 * version without downtime) and waits until every instance runs.
 */
@Command(name = "push", description = "Deploy the app in a directory (creates or updates it).",
    footer = {"", "Examples:", "  updraft push", "  updraft push blog --path ./blog --memory 256M "
        + "--instances 2", "  updraft push api --env GREETING=hi --url api.example.com"})
final class PushCommand extends Base {

  @Parameters(arity = "0..1", paramLabel = "NAME", description = "default: manifest or dir")
  String name;

  @Option(names = {"-p", "--path"}, description = "app directory (default: .)")
  Path path = Path.of(".");

  @Option(names = {"-m", "--memory"}, description = "memory per instance, e.g. 256M or 1G")
  String memory;

  @Option(names = {"-i", "--instances"})
  Integer instances;

  @Option(names = "--url", description = "route(s); default: NAME.<cloud domain>")
  List<String> urls;

  @Option(names = {"-c", "--command"}, description = "start command (Procfile style)")
  String command;

  @Option(names = "--framework", description = "buildpack: java, java_maven, node, python, "
      + "static, standalone (default: detected)")
  String framework;

  @Option(names = {"-e", "--env"}, description = "NAME=value (repeatable)")
  List<String> env;

  @Option(names = "--no-start", description = "upload only")
  boolean noStart;

  @Option(names = "--timeout", description = "seconds to wait for instances (default 180)")
  int timeoutSeconds = 180;

  @Override
  void run() throws Exception {
    CloudClient cloud = session.loggedIn();
    Manifest manifest = Manifest.read(path);
    String app = name != null ? name : manifest.name() != null ? manifest.name()
        : path.toAbsolutePath().normalize().getFileName().toString()
            .toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_-]", "-");
    Integer mem = memory != null ? Integer.valueOf(Manifest.parseMemory(memory, "--memory"))
        : manifest.memoryMb();
    Integer count = instances != null ? instances : manifest.instances();
    String cmd = command != null ? command : manifest.command();
    String fw = framework != null ? framework : manifest.framework();
    Map<String, String> vars = new LinkedHashMap<>(manifest.env());
    if (env != null) {
      for (String e : env) {
        int eq = e.indexOf('=');
        if (eq <= 0) {
          throw new CloudException(0, -1, "--env takes NAME=value, got '" + e + "'");
        }
        vars.put(e.substring(0, eq), e.substring(eq + 1));
      }
    }
    List<String> routes = urls != null ? urls : manifest.urls();

    boolean exists = cloud.exists(app);
    boolean wasStarted = exists && "STARTED".equals(cloud.app(app).path("state").asText());
    if (!exists) {
      ObjectNode spec = Json.mapper().createObjectNode().put("name", app);
      ObjectNode staging = spec.putObject("staging");
      staging.put("framework", fw);
      if (cmd != null) {
        staging.put("command", cmd);
      }
      ArrayNode uris = spec.putArray("uris");
      (routes.isEmpty() ? List.of(app + "." + domain(cloud)) : routes).forEach(uris::add);
      spec.put("instances", count == null ? 1 : count);
      spec.putObject("resources").put("memory", mem == null ? 256 : mem);
      ArrayNode envList = spec.putArray("env");
      vars.forEach((k, v) -> envList.add(k + "=" + v));
      cloud.createApp(spec);
      out().line("Creating " + app + "... OK");
    } else {
      cloud.updateApp(app, a -> {
        if (mem != null) {
          a.putObject("resources").put("memory", mem);
        }
        if (count != null) {
          a.put("instances", count);
        }
        if (!routes.isEmpty()) {
          ArrayNode uris = a.putArray("uris");
          routes.forEach(uris::add);
        }
        if (!vars.isEmpty()) {
          Map<String, String> merged = new LinkedHashMap<>();
          a.path("env").forEach(e -> {
            String s = e.asText();
            int eq = s.indexOf('=');
            merged.put(eq < 0 ? s : s.substring(0, eq), eq < 0 ? "" : s.substring(eq + 1));
          });
          merged.putAll(vars);
          ArrayNode envList = a.putArray("env");
          merged.forEach((k, v) -> envList.add(k + "=" + v));
        }
        if (cmd != null || fw != null) {
          ObjectNode staging = a.putObject("staging");
          staging.put("framework", fw);
          if (cmd != null) {
            staging.put("command", cmd);
          }
        }
      });
      out().line("Updating " + app + "... OK");
    }

    AppArchive archive = AppArchive.scan(path);
    Progress progress = new Progress(spec.commandLine().getErr(), archive.totalBytes());
    CloudClient.UploadResult up = cloud.upload(app, archive, progress::sent);
    progress.done();
    out().line("Uploading " + archive.entries().size() + " files ("
        + up.reused() + " already in the cloud, " + human(up.bytesSent()) + " sent)... OK");
    if (noStart) {
      return;
    }
    out().line("Staging and starting " + app + "...");
    java.util.concurrent.atomic.AtomicInteger streamed =
        new java.util.concurrent.atomic.AtomicInteger();
    try (CloudClient.Following log = cloud.followStaging(app, line -> {
      streamed.incrementAndGet();
      out().line("  " + line);
    })) {
      try {
        if (wasStarted) {
          cloud.redeploy(app);
        } else {
          cloud.start(app);
        }
      } finally {
        log.awaitEnd(Duration.ofSeconds(2));
      }
    } catch (CloudException e) {
      if (streamed.get() == 0) {
        printStagingLog(cloud, app);
      }
      throw e;
    }
    if (streamed.get() == 0) {
      printStagingLog(cloud, app);
    }
    boolean running = cloud.awaitRunning(app, Duration.ofSeconds(timeoutSeconds));
    JsonNode info = cloud.app(app);
    List<String> states = new ArrayList<>();
    cloud.instances(app).forEach(i -> states.add(i.path("index").asInt() + ":"
        + out().state(i.path("state").asText())));
    out().line("Instances: " + String.join(" ", states));
    if (!running) {
      throw new CloudException(0, -1, app + " did not reach " + info.path("instances").asInt()
          + " running instances in " + timeoutSeconds + " s; see 'updraft logs " + app + "' "
          + "and 'updraft crashes " + app + "'");
    }
    List<String> links = new ArrayList<>();
    info.path("uris").forEach(u -> links.add("http://" + u.asText() + port()));
    out().line(out().bold(app) + " is running: " + String.join(" ", links));
  }

  private void printStagingLog(CloudClient cloud, String app) {
    try {
      String log = cloud.file(app, "0", "logs/staging.log");
      for (String line : log.split("\n")) {
        out().line("  " + line);
      }
    } catch (CloudException e) {
      // no staging log yet: nothing to show
    }
  }

  /** The app domain: the API host minus its first label ({@code api.example.com}). */
  private String domain(CloudClient cloud) {
    JsonNode info = cloud.info();
    String domain = info.path("updraft").path("domain").asText(null);
    if (domain != null) {
      return domain;
    }
    String host = java.net.URI.create(cloud.target()).getHost();
    return host.contains(".") ? host.substring(host.indexOf('.') + 1) : host;
  }

  /** The target's port, which apps share when the router is not on 80. */
  private String port() {
    int p = java.net.URI.create(session.config.target()).getPort();
    return p > 0 && p != 80 ? ":" + p : "";
  }

  static String human(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    if (bytes < 1024 * 1024) {
      return String.format("%.1f KB", bytes / 1024.0);
    }
    return String.format("%.1f MB", bytes / (1024.0 * 1024));
  }

  /** An upload progress bar on stderr when it is a terminal. */
  static final class Progress {
    private final java.io.PrintWriter err;
    private final long total;
    private final long started = System.nanoTime();
    private final boolean tty = System.console() != null;
    private long lastDraw;

    Progress(java.io.PrintWriter err, long total) {
      this.err = err;
      this.total = Math.max(1, total);
    }

    void sent(long bytes) {
      long now = System.nanoTime();
      if (!tty || now - lastDraw < 100_000_000L) {
        return;
      }
      lastDraw = now;
      double seconds = Math.max(0.001, (now - started) / 1e9);
      int width = 30;
      int filled = (int) Math.min(width, width * bytes / total);
      err.printf("\r[%s%s] %s  %s/s   ", "#".repeat(filled), " ".repeat(width - filled),
          human(bytes), human((long) (bytes / seconds)));
      err.flush();
    }

    void done() {
      if (tty) {
        err.print("\r" + " ".repeat(70) + "\r");
        err.flush();
      }
    }
  }
}
