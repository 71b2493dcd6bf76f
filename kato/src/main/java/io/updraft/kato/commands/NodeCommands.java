package io.updraft.kato.commands;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** Node and role commands: detach, enable/disable, role, node, rename, info. */
public final class NodeCommands {

  private NodeCommands() {
  }

  /** Shared by the commands here: the agent client and output. */
  abstract static class Base implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    AgentOptions options;

    PrintWriter out() {
      return spec.commandLine().getOut();
    }
  }

  @Command(name = "detach", mixinStandardHelpOptions = true,
      description = "Stop this node's processes and leave the cluster.")
  public static class Detach extends Base {
    @Override
    public Integer call() throws Exception {
      options.client().post("/v1/detach", null);
      AgentProcess.awaitDown(options.home(), Duration.ofSeconds(90));
      out().println("Detached: this node's processes are stopped and it left the cluster.");
      return 0;
    }
  }

  @Command(name = "enable", mixinStandardHelpOptions = true,
      description = "Enable roles on this node and start their processes (kato role list).")
  public static class Enable extends Base {
    @Parameters(paramLabel = "ROLE", arity = "1..*", split = ",") List<String> roles;

    @Override
    public Integer call() {
      ObjectNode body = JsonNodeFactory.instance.objectNode();
      roles.forEach(body.putArray("roles")::add);
      JsonNode result = options.client().post("/v1/roles/" + action(), body);
      out().println("roles enabled on this node: " + enabledRoles(result));
      return 0;
    }

    String action() {
      return "enable";
    }
  }

  @Command(name = "disable", mixinStandardHelpOptions = true,
      description = "Disable roles on this node and stop their processes.")
  public static class Disable extends Enable {
    @Override
    String action() {
      return "disable";
    }
  }

  static String enabledRoles(JsonNode view) {
    List<String> on = new ArrayList<>();
    view.path("roles").forEach(r -> {
      if (r.path("enabled").asBoolean()) {
        on.add(r.path("name").asText());
      }
    });
    return on.isEmpty() ? "(none)" : String.join(", ", on);
  }

  @Command(name = "list", mixinStandardHelpOptions = true,
      description = "Every role, its processes, and whether it is enabled here.")
  public static class RoleList extends Base {
    @Override
    public Integer call() {
      JsonNode view = options.client().get("/v1/roles");
      out().printf("%-16s %-8s %-44s %s%n", "ROLE", "ENABLED", "PROCESSES", "NOTES");
      view.path("roles").forEach(r -> {
        List<String> procs = new ArrayList<>();
        r.path("processes").forEach(p -> procs.add(p.asText()));
        List<String> notes = new ArrayList<>();
        if (!r.path("aliases").isEmpty()) {
          List<String> a = new ArrayList<>();
          r.path("aliases").forEach(x -> a.add(x.asText()));
          notes.add("alias " + String.join(",", a));
        }
        if (r.has("max_per_cluster")) {
          notes.add("max " + r.path("max_per_cluster").asInt() + " per cluster");
        }
        out().printf("%-16s %-8s %-44s %s%n", r.path("name").asText(),
            r.path("enabled").asBoolean() ? "yes" : "-",
            procs.isEmpty() ? "(none)" : String.join(",", procs), String.join("; ", notes));
      });
      return 0;
    }
  }

  @Command(name = "add", mixinStandardHelpOptions = true,
      description = "Enable roles on this node (kato enable).")
  public static class RoleAdd extends Enable {
  }

  @Command(name = "remove", mixinStandardHelpOptions = true,
      description = "Disable roles on this node (kato disable).")
  public static class RoleRemove extends Disable {
  }

  @Command(name = "role", mixinStandardHelpOptions = true, description = "Node roles.",
      subcommands = {RoleList.class, RoleAdd.class, RoleRemove.class})
  public static class Role {
  }

  @Command(name = "list", mixinStandardHelpOptions = true,
      description = "Every node of the cluster: its IP, roles and state.")
  public static class NodeList extends Base {
    @Override
    public Integer call() {
      JsonNode nodes = options.client().get("/v1/nodes");
      out().printf("%-14s %-22s %-16s %-8s %s%n", "NODE", "HOSTNAME", "IP", "STATE", "ROLES");
      nodes.path("nodes").forEach(n -> out().printf("%-14s %-22s %-16s %-8s %s%n",
          n.path("node_id").asText(), n.path("hostname").asText(), n.path("ip").asText(),
          n.path("state").asText(), roles(n)));
      return 0;
    }
  }

  static String roles(JsonNode n) {
    List<String> r = new ArrayList<>();
    n.path("roles").forEach(x -> r.add(x.asText()));
    return r.isEmpty() ? "(none)" : String.join(",", r);
  }

  @Command(name = "remove", mixinStandardHelpOptions = true,
      description = "Forget a node that is down (by id, hostname or IP).")
  public static class NodeRemove extends Base {
    @Parameters(paramLabel = "NODE") String node;

    @Override
    public Integer call() {
      options.client().delete("/v1/nodes/" + java.net.URLEncoder.encode(node,
          java.nio.charset.StandardCharsets.UTF_8));
      out().println("removed node " + node + " from the cluster");
      return 0;
    }
  }

  @Command(name = "rename", mixinStandardHelpOptions = true,
      description = {"Set the name this node goes by in the cluster.",
          "(Updraft keeps the name in node.yml; it does not change the system hostname.)"})
  public static class Rename extends Base {
    @Parameters(paramLabel = "HOSTNAME") String hostname;

    @Override
    public Integer call() {
      ObjectNode body = JsonNodeFactory.instance.objectNode().put("hostname", hostname);
      options.client().post("/v1/rename", body);
      out().println("this node is now called " + hostname + " in the cluster (the system "
          + "hostname is unchanged)");
      return 0;
    }
  }

  @Command(name = "info", mixinStandardHelpOptions = true,
      description = "This node: id, name, IP, roles, core address, cluster size.")
  public static class Info extends Base {
    @Option(names = "--json", description = "print the agent's JSON")
    boolean json;

    @Override
    public Integer call() {
      JsonNode info = options.client().get("/v1/info");
      if (json) {
        out().println(info.toPrettyString());
        return 0;
      }
      out().printf("node:          %s%n", info.path("node_id").asText());
      out().printf("hostname:      %s%n", info.path("hostname").asText());
      out().printf("ip:            %s%n", info.path("ip").asText());
      out().printf("roles:         %s%n", roles(info));
      out().printf("core:          %s%s%n", info.path("core_address").asText(),
          info.path("core").asBoolean() ? " (this node)" : "");
      out().printf("api endpoint:  %s%n", info.path("api_endpoint").asText("-"));
      out().printf("joined:        %s%s%n", info.path("joined").asBoolean() ? "yes" : "no",
          info.has("join_error") ? " (" + info.path("join_error").asText() + ")" : "");
      out().printf("cluster:       %d node(s), %d up, %d Hazelcast member(s)%n",
          info.path("cluster_nodes").asInt(), info.path("cluster_nodes_up").asInt(),
          info.path("cluster_members").asInt());
      out().printf("version:       %s%n", info.path("version").asText());
      out().printf("home:          %s%n", info.path("home").asText());
      return 0;
    }
  }

  @Command(name = "node", mixinStandardHelpOptions = true,
      description = "Cluster nodes (the Stackato 2.8 spellings of setup, attach, detach, rename).",
      subcommands = {NodeList.class, NodeRemove.class, Rename.class, SetupCommand.class,
          AttachCommand.class, Detach.class, Info.class, TemplateCommand.class})
  public static class Node {
  }
}
