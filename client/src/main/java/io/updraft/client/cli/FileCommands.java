package io.updraft.client.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.updraft.client.api.CloudClient;
import io.updraft.client.api.CloudException;
import java.time.Instant;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** An instance's files and logs. */
final class FileCommands {

  private FileCommands() {
  }

  @Command(name = "files", description = "List a directory or print a file of an instance.",
      footer = {"", "Examples:", "  updraft files blog", "  updraft files blog logs/stdout.log"})
  static final class Files extends Base {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Parameters(index = "1", arity = "0..1", paramLabel = "PATH")
    String path = "/";

    @Option(names = "--instance", description = "instance index (default 0)")
    int instance;

    @Override
    void run() {
      out().line(session.loggedIn().file(name, String.valueOf(instance), path).stripTrailing());
    }
  }

  @Command(name = "logs", description = "Print an app's logs (staging, stdout, stderr).",
      footer = {"", "Without --follow or --tail: an instance's log files. With them: the app's",
          "log stream, every instance, each line as <time> [<source>/<index>] <line>.", "",
          "Examples:", "  updraft logs blog", "  updraft logs blog --follow",
          "  updraft logs blog --tail 50", "  updraft logs blog --follow --instance 1"})
  static final class Logs extends Base {
    /** A follow that lasted this long was ended by the cloud's limit, not by a problem. */
    private static final java.time.Duration RECONNECT_AFTER = java.time.Duration.ofMinutes(1);

    @Parameters(paramLabel = "NAME")
    String name;

    @Option(names = "--instance", description = "instance index (files: default 0; stream: "
        + "only this instance's lines, and staging)")
    Integer instance;

    @Option(names = {"-f", "--follow"}, description = "stream recent lines, then new ones as "
        + "they are written, until Ctrl-C")
    boolean follow;

    @Option(names = {"-n", "--tail"}, paramLabel = "N", description = "recent lines to show "
        + "from the stream (default 100 with --follow)")
    Integer tail;

    @Override
    void run() throws InterruptedException {
      CloudClient cloud = session.loggedIn();
      if (follow || tail != null) {
        try {
          stream(cloud);
          return;
        } catch (CloudException e) {
          // 404 with another code than 301 (no such app): a cloud without log streams
          if (e.status() != 404 || e.code() == 301 || !follow) {
            throw e;
          }
        }
      }
      files(cloud);
    }

    /**
     * The app's log stream. A follow the cloud ends after a long while (it bounds each to an
     * hour) is picked up again without repeating lines; one that ends quickly is over.
     */
    private void stream(CloudClient cloud) {
      int recent = tail != null ? Math.max(0, tail) : 100;
      boolean[] warned = {false};
      boolean again;
      do {
        long began = System.nanoTime();
        cloud.logs(name, recent, follow, history -> {
          if ("none".equals(history) && !warned[0]) {
            warned[0] = true;
            spec.commandLine().getErr().println("updraft: this cloud keeps no recent log "
                + "lines; showing new ones as they are written");
            spec.commandLine().getErr().flush();
          }
        }, this::print);
        recent = 0;
        again = follow && System.nanoTime() - began > RECONNECT_AFTER.toNanos();
      } while (again);
    }

    private void print(JsonNode line) {
      if (instance != null && line.path("index").isInt()
          && line.path("index").asInt() != instance) {
        return;
      }
      if (json) {
        out().line(line.toString());
        return;
      }
      out().line(format(line));
    }

    /** {@code <time> [<source>/<index>] <line>}, as the cloud's text form. */
    static String format(JsonNode line) {
      String source = line.path("source").asText("?");
      String origin = line.path("index").isNumber() ? source + "/" + line.path("index").asInt()
          : source;
      return Instant.ofEpochMilli(line.path("ts").asLong()) + " [" + origin + "] "
          + line.path("line").asText("");
    }

    /** The v1 way: an instance's log files through the files API. */
    private void files(CloudClient cloud) throws InterruptedException {
      String idx = String.valueOf(instance == null ? 0 : instance);
      for (String file : new String[] {"logs/staging.log", "logs/stderr.log",
          "logs/stdout.log"}) {
        try {
          String text = cloud.file(name, idx, file);
          out().line(out().bold("==> " + file + " <=="));
          out().line(text.stripTrailing());
        } catch (CloudException e) {
          if (e.status() != 404 && e.status() != 400) {
            throw e;
          }
        }
      }
      if (!follow) {
        return;
      }
      // a cloud without log streams: follow stdout by polling the files API
      int seen = cloud.file(name, idx, "logs/stdout.log").length();
      while (true) {
        Thread.sleep(1000);
        String text = cloud.file(name, idx, "logs/stdout.log");
        if (text.length() > seen) {
          out().line(text.substring(seen).stripTrailing());
          seen = text.length();
        }
      }
    }
  }
}
