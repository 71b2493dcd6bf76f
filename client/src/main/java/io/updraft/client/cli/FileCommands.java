package io.updraft.client.cli;

import io.updraft.client.api.CloudClient;
import io.updraft.client.api.CloudException;
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

  @Command(name = "logs", description = "Print an instance's logs (staging, stdout, stderr).",
      footer = {"", "Examples:", "  updraft logs blog", "  updraft logs blog --follow"})
  static final class Logs extends Base {
    @Parameters(paramLabel = "NAME")
    String name;

    @Option(names = "--instance", description = "instance index (default 0)")
    int instance;

    @Option(names = {"-f", "--follow"}, description = "keep printing new lines")
    boolean follow;

    @Override
    void run() throws InterruptedException {
      CloudClient cloud = session.loggedIn();
      String idx = String.valueOf(instance);
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
      // follows stdout by polling the files API until streaming logs land
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
