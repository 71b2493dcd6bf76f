package io.updraft.client.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.updraft.common.protocol.Json;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code updraft drain add|list|delete}: forward an app's log lines (stdout, stderr, staging)
 * to syslog endpoints in RFC 5424 form, as Papertrail and Loggly take them.
 */
@Command(name = "drain", description = "Forward an app's log lines to syslog services.",
    subcommands = {DrainCommands.Add.class, DrainCommands.ListDrains.class,
        DrainCommands.Delete.class, CommandLine.HelpCommand.class},
    footer = {"", "Examples:", "  updraft drain add papertrail syslog-tls://logs5.papertrailapp"
        + ".com:12345 --app blog", "  updraft drain list --app blog",
        "  updraft drain delete papertrail --app blog"})
final class DrainCommands implements Runnable {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(),
        "drain needs a subcommand: add, list or delete");
  }

  @Command(name = "add", description = "Send the app's log lines to a syslog endpoint: "
      + "syslog://HOST:PORT (TCP) or syslog-tls://HOST:PORT (TLS).")
  static final class Add extends Base {
    @Parameters(index = "0", paramLabel = "NAME", description = "the drain's name")
    String name;

    @Parameters(index = "1", paramLabel = "URL")
    String url;

    @Option(names = {"-a", "--app"}, required = true, paramLabel = "APP")
    String app;

    @Override
    void run() {
      JsonNode d = session.loggedIn().addDrain(app, name, url);
      if (json) {
        out().json(d);
        return;
      }
      out().line("Added drain " + name + " (" + d.path("url").asText() + ") to " + app);
    }
  }

  @Command(name = "list", description = "The app's drains, with the lines dropped while "
      + "their endpoint was down.")
  static final class ListDrains extends Base {
    @Option(names = {"-a", "--app"}, required = true, paramLabel = "APP")
    String app;

    @Override
    void run() {
      List<JsonNode> drains = session.loggedIn().drains(app);
      if (json) {
        out().json(Json.mapper().valueToTree(drains));
        return;
      }
      if (drains.isEmpty()) {
        out().line("No drains.");
        return;
      }
      List<List<String>> rows = new ArrayList<>();
      for (JsonNode d : drains) {
        rows.add(List.of(d.path("name").asText(), d.path("url").asText(),
            String.valueOf(d.path("dropped").asLong())));
      }
      out().table(List.of("name", "url", "dropped"), rows);
    }
  }

  @Command(name = "delete", description = "Stop forwarding to a drain and forget it.")
  static final class Delete extends Base {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Option(names = {"-a", "--app"}, required = true, paramLabel = "APP")
    String app;

    @Override
    void run() {
      session.loggedIn().deleteDrain(app, name);
      if (!json) {
        out().line("Deleted drain " + name + " of " + app);
      }
    }
  }
}
