package io.updraft.kato.commands;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * {@code kato config get|set|del|push|pop [--json] COMPONENT [KEY.PATH] [VALUE]}: the cluster
 * config, kept in Hazelcast and read by components at start. A bare {@code kato config
 * COMPONENT KEY VALUE} sets, {@code kato config COMPONENT [KEY]} gets.
 */
@Command(name = "config", mixinStandardHelpOptions = true,
    description = {"Read and change the cluster config (one document per component).",
        "With --json a VALUE is JSON ('true', '4', '\"openstack\"', '[1,2]'); without, a string.",
        "Components: cloud_controller, health_manager, router, stager, dea, services_node, cluster."},
    subcommands = {ConfigCommand.Get.class, ConfigCommand.Set.class, ConfigCommand.Del.class,
        ConfigCommand.Push.class, ConfigCommand.Pop.class},
    footer = {"", "Examples:",
        "  kato config --json health_manager enable_autoscaling 'true'",
        "  kato config --json cloud_controller primary_scaling_platform '\"openstack\"'",
        "  kato config get health_manager",
        "  kato config set health_manager log_level DEBUG      (applied live)",
        "  kato config del health_manager enable_autoscaling"})
public final class ConfigCommand implements Callable<Integer> {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ObjectMapper YAML = new YAMLMapper(new YAMLFactory()
      .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER));

  @Spec
  CommandSpec spec;

  @Mixin
  AgentOptions options;

  @Option(names = "--json", scope = ScopeType.INHERIT,
      description = "VALUE is JSON; get prints JSON")
  boolean json;

  @Parameters(paramLabel = "ARGS", arity = "0..3",
      description = "COMPONENT [KEY.PATH [VALUE]]: get, or set with a VALUE")
  List<String> args = List.of();

  @Override
  public Integer call() {
    if (args.isEmpty()) {
      spec.commandLine().usage(spec.commandLine().getErr());
      return 2;
    }
    if (args.size() == 3) {
      return change(this, "set", args.get(0), args.get(1), args.get(2));
    }
    return get(this, args.get(0), args.size() > 1 ? args.get(1) : null);
  }

  static int get(ConfigCommand root, String component, String path) {
    JsonNode value = root.options.client().get("/v1/config/" + enc(component)
        + (path != null ? "?path=" + enc(path) : "")).path("value");
    PrintWriter out = root.spec.commandLine().getOut();
    if (root.json) {
      out.println(value.toPrettyString());
    } else if (value.isValueNode()) {
      out.println(value.asText());
    } else if (value.isEmpty()) {
      out.println(value.isObject() ? "{}" : "[]");
    } else {
      try {
        out.print(YAML.writeValueAsString(value));
      } catch (JsonProcessingException e) {
        out.println(value.toPrettyString());
      }
    }
    return 0;
  }

  static int change(ConfigCommand root, String op, String component, String path, String raw) {
    ObjectNode body = JsonNodeFactory.instance.objectNode().put("op", op);
    if (path != null) {
      body.put("path", path);
    }
    if (raw != null) {
      JsonNode value;
      if (root.json) {
        try {
          value = JSON.readTree(raw);
          if (value == null || value.isMissingNode()) {
            throw new IllegalArgumentException("empty");
          }
        } catch (JsonProcessingException | IllegalArgumentException e) {
          root.spec.commandLine().getErr().println("kato config: --json value " + raw
              + " is not valid JSON (strings need quotes inside the shell's: '\"openstack\"')");
          return 2;
        }
      } else {
        value = JsonNodeFactory.instance.textNode(raw);
      }
      body.set("value", value);
    }
    JsonNode result = root.options.client().post("/v1/config/" + enc(component), body);
    PrintWriter out = root.spec.commandLine().getOut();
    out.println(result.path("component").asText() + (path != null ? " " + path : "") + ": "
        + result.path("message").asText());
    if (!result.path("unknown_keys").isEmpty()) {
      root.spec.commandLine().getErr().println("warning: this version of "
          + result.path("component").asText() + " does not know " + result.path("unknown_keys")
          + "; stored, but left out of its config until it does");
    }
    if (result.hasNonNull("config_error")) {
      root.spec.commandLine().getErr().println("warning: " + result.path("component").asText()
          + " would refuse this config at its next start: " + result.path("config_error")
          .asText() + " (fix it with kato config set/del)");
    }
    return 0;
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  @Command(name = "get", mixinStandardHelpOptions = true,
      description = "Print a component's config, or one key (YAML; --json: JSON).")
  static final class Get implements Callable<Integer> {
    @ParentCommand ConfigCommand root;
    @Parameters(index = "0", paramLabel = "COMPONENT") String component;
    @Parameters(index = "1", arity = "0..1", paramLabel = "KEY.PATH") String path;

    @Override
    public Integer call() {
      return get(root, component, path);
    }
  }

  @Command(name = "set", mixinStandardHelpOptions = true, description = "Set a key.")
  static final class Set implements Callable<Integer> {
    @ParentCommand ConfigCommand root;
    @Parameters(index = "0", paramLabel = "COMPONENT") String component;
    @Parameters(index = "1", paramLabel = "KEY.PATH") String path;
    @Parameters(index = "2", paramLabel = "VALUE") String value;

    @Override
    public Integer call() {
      return change(root, "set", component, path, value);
    }
  }

  @Command(name = "del", aliases = "delete", mixinStandardHelpOptions = true,
      description = "Delete a key (or, with no key, the component's whole document).")
  static final class Del implements Callable<Integer> {
    @ParentCommand ConfigCommand root;
    @Parameters(index = "0", paramLabel = "COMPONENT") String component;
    @Parameters(index = "1", arity = "0..1", paramLabel = "KEY.PATH") String path;

    @Override
    public Integer call() {
      return change(root, "del", component, path, null);
    }
  }

  @Command(name = "push", mixinStandardHelpOptions = true,
      description = "Append a value to the list at a key.")
  static final class Push implements Callable<Integer> {
    @ParentCommand ConfigCommand root;
    @Parameters(index = "0", paramLabel = "COMPONENT") String component;
    @Parameters(index = "1", paramLabel = "KEY.PATH") String path;
    @Parameters(index = "2", paramLabel = "VALUE") String value;

    @Override
    public Integer call() {
      return change(root, "push", component, path, value);
    }
  }

  @Command(name = "pop", mixinStandardHelpOptions = true,
      description = "Remove a value (default: the last one) from the list at a key.")
  static final class Pop implements Callable<Integer> {
    @ParentCommand ConfigCommand root;
    @Parameters(index = "0", paramLabel = "COMPONENT") String component;
    @Parameters(index = "1", paramLabel = "KEY.PATH") String path;
    @Parameters(index = "2", arity = "0..1", paramLabel = "VALUE") String value;

    @Override
    public Integer call() {
      return change(root, "pop", component, path, value);
    }
  }
}
