package io.updraft.kato.commands;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code kato status}, {@code kato start|stop|restart}, and {@code kato process ...}. */
public final class ProcessCommands {

  private ProcessCommands() {
  }

  @Command(name = "status", mixinStandardHelpOptions = true,
      description = "Each process on this node (--all: on every node of the cluster).")
  public static class Status extends NodeCommands.Base {
    @Option(names = {"-a", "--all"}, description = "every node of the cluster")
    boolean all;

    @Option(names = "--json", description = "print the agent's JSON")
    boolean json;

    @Override
    public Integer call() {
      JsonNode status = options.client().get("/v1/status" + (all ? "?all=true" : ""));
      if (json) {
        out().println(status.toPrettyString());
        return 0;
      }
      print(out(), status);
      return 0;
    }
  }

  static void print(PrintWriter out, JsonNode status) {
    boolean first = true;
    for (JsonNode node : status.path("nodes")) {
      if (!first) {
        out.println();
      }
      first = false;
      out.printf("%s (%s)  node %s  roles %s  %s%n", node.path("hostname").asText(),
          node.path("ip").asText(), node.path("node_id").asText(), NodeCommands.roles(node),
          node.path("state").asText());
      if (node.path("processes").isEmpty()) {
        out.println("  (no processes)");
        continue;
      }
      out.printf("  %-18s %-9s %-8s %-10s %-8s %s%n", "PROCESS", "STATE", "PID", "UPTIME",
          "RESTARTS", "");
      for (JsonNode p : node.path("processes")) {
        out.printf("  %-18s %-9s %-8s %-10s %-8s %s%n", p.path("name").asText(),
            p.path("state").asText(), p.path("pid").isNull() || p.path("pid").isMissingNode()
                ? "-" : p.path("pid").asText(),
            uptime(p.path("uptime_seconds")), p.path("restarts").asInt(),
            p.path("message").isTextual() ? p.path("message").asText() : "");
      }
    }
  }

  static String uptime(JsonNode seconds) {
    if (!seconds.isNumber()) {
      return "-";
    }
    long s = seconds.asLong();
    return String.format("%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60);
  }

  /** start, stop or restart: the processes named, or all of this node's. */
  abstract static class Action extends NodeCommands.Base {
    @Parameters(paramLabel = "PROCESS", arity = "0..*",
        description = "e.g. cloud_controller health_manager (default: every process here)")
    List<String> processes = List.of();

    abstract String action();

    @Override
    public Integer call() {
      ObjectNode body = JsonNodeFactory.instance.objectNode();
      processes.forEach(body.putArray("processes")::add);
      JsonNode status = options.client().post("/v1/processes/" + action(), body);
      out().println(action() + (processes.isEmpty() ? " (all processes)" : " "
          + String.join(" ", processes)) + ": done");
      print(out(), status);
      return 0;
    }
  }

  @Command(name = "start", mixinStandardHelpOptions = true,
      description = "Start processes of this node (default: all).")
  public static class Start extends Action {
    @Override
    String action() {
      return "start";
    }
  }

  @Command(name = "stop", mixinStandardHelpOptions = true,
      description = "Stop processes of this node (default: all; the agent keeps running).")
  public static class Stop extends Action {
    @Override
    String action() {
      return "stop";
    }
  }

  @Command(name = "restart", mixinStandardHelpOptions = true,
      description = "Restart processes of this node (default: all); they read the cluster "
          + "config afresh.")
  public static class Restart extends Action {
    @Override
    String action() {
      return "restart";
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true,
      description = "Each process on this node (kato status).")
  public static class ProcessList extends Status {
  }

  @Command(name = "process", mixinStandardHelpOptions = true,
      description = "Processes of this node (the Stackato 2.8 spellings).",
      subcommands = {ProcessList.class, Start.class, Stop.class, Restart.class})
  public static class Process {
  }
}
