package io.updraft.kato.commands;

import static org.assertj.core.api.Assertions.assertThat;

import io.updraft.kato.KatoMain;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/** Every command and its Stackato 2.8 alias parse to the same code; bad input is refused. */
class CommandParsingTest {

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  @TempDir
  Path home;

  private static Object leaf(String... args) {
    ParseResult r = KatoMain.commandLine().parseArgs(args);
    while (r.hasSubcommand()) {
      r = r.subcommand();
    }
    return r.commandSpec().userObject();
  }

  private int run(String... args) {
    CommandLine cli = KatoMain.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "setup core api.10.0.5.6.xip.io        | SetupCommand$Core",
      "node setup core api.10.0.5.6.xip.io   | SetupCommand$Core",
      "attach -e dea 10.0.5.6                | AttachCommand",
      "node attach -e dea,stager 10.0.5.6    | AttachCommand",
      "detach                                | NodeCommands$Detach",
      "node detach                           | NodeCommands$Detach",
      "enable stager                         | NodeCommands$Enable",
      "role add stager                       | NodeCommands$RoleAdd",
      "disable mdns                          | NodeCommands$Disable",
      "role remove stager                    | NodeCommands$RoleRemove",
      "role list                             | NodeCommands$RoleList",
      "node list                             | NodeCommands$NodeList",
      "node remove 10.0.7.12                 | NodeCommands$NodeRemove",
      "rename 208.75.128.166.xip.io          | NodeCommands$Rename",
      "node rename dea-1                     | NodeCommands$Rename",
      "template                              | TemplateCommand",
      "node template --status                | TemplateCommand",
      "status                                | ProcessCommands$Status",
      "status --all                          | ProcessCommands$Status",
      "process list                          | ProcessCommands$ProcessList",
      "start                                 | ProcessCommands$Start",
      "process start router                  | ProcessCommands$Start",
      "stop dea                              | ProcessCommands$Stop",
      "process stop dea                      | ProcessCommands$Stop",
      "restart cloud_controller health_manager | ProcessCommands$Restart",
      "process restart cloud_controller      | ProcessCommands$Restart",
      "info                                  | NodeCommands$Info",
      "log tail                              | LogCommand$Tail",
      "log tail dea                          | LogCommand$Tail",
      "config get health_manager             | ConfigCommand$Get",
      "config set dea max_memory 4096        | ConfigCommand$Set",
      "config del dea max_memory             | ConfigCommand$Del",
      "config push router allowed a          | ConfigCommand$Push",
      "config pop router allowed             | ConfigCommand$Pop",
      "config --json health_manager enable_autoscaling true | ConfigCommand",
      "config health_manager                 | ConfigCommand",
      "agent                                 | AgentRunCommand",
      "nats tail                             | NatsTailCommand",
      "micro up                              | MicroCommand$Up",
      "version                               | KatoMain$VersionCommand"})
  void parses(String line, String command) {
    Object leaf = leaf(line.trim().split("\\s+"));
    assertThat(leaf.getClass().getName()).endsWith("." + command.trim());
  }

  @Test
  void seedJsonFormsKeepTheirValues() {
    ParseResult r = KatoMain.commandLine().parseArgs("config", "--json", "cloud_controller",
        "primary_scaling_platform", "\"openstack\"");
    ConfigCommand config = (ConfigCommand) r.subcommand().commandSpec().userObject();
    assertThat(config.json).isTrue();
    assertThat(config.args).containsExactly("cloud_controller", "primary_scaling_platform",
        "\"openstack\"");
    ParseResult set = KatoMain.commandLine().parseArgs("config", "set", "--json", "dea", "a",
        "1");
    assertThat(((ConfigCommand) set.subcommand().commandSpec().userObject()).json).isTrue();
  }

  @Test
  void attachSplitsRoles() {
    ParseResult r = KatoMain.commandLine().parseArgs("attach", "-e", "dea,stager", "10.0.5.6");
    AttachCommand attach = (AttachCommand) r.subcommand().commandSpec().userObject();
    assertThat(attach.roles).containsExactly("dea", "stager");
    assertThat(attach.core).isEqualTo("10.0.5.6");
  }

  @Test
  void unknownCommandIsRejected() {
    assertThat(run("frobnicate")).isEqualTo(2);
    assertThat(err.toString()).contains("Unmatched argument at index 0: 'frobnicate'");
  }

  @Test
  void attachWithUnknownRoleIsRefusedBeforeAnythingHappens() {
    assertThat(run("attach", "--home", home.toString(), "-e", "dea,mongodb", "10.0.5.6"))
        .isEqualTo(2);
    assertThat(err.toString()).contains("unknown role 'mongodb'");
    assertThat(home.resolve("node.yml")).doesNotExist();
  }

  @Test
  void attachNeedsACoreAddress() {
    assertThat(run("attach", "-e", "dea")).isEqualTo(2);
    assertThat(err.toString()).contains("Missing required parameter: 'CORE_IP'");
  }

  @Test
  void unreachableCoreFailsWithinTheTimeout() {
    int closed = io.updraft.common.testing.NatsServer.freePort();
    Instant start = Instant.now();
    assertThat(run("attach", "--home", home.toString(), "-e", "dea", "--timeout", "2",
        "127.0.0.1:" + closed)).isEqualTo(1);
    assertThat(Duration.between(start, Instant.now())).isLessThan(Duration.ofSeconds(10));
    assertThat(err.toString()).contains("cannot reach the core at 127.0.0.1:" + closed
        + " within 2 s");
    assertThat(home.resolve("node.yml")).doesNotExist();
  }

  @Test
  void malformedJsonValueIsRefused() throws Exception {
    // an agent token exists, so only the value can be at fault
    java.nio.file.Files.writeString(home.resolve("agent.token"), "x");
    assertThat(run("config", "--home", home.toString(), "--json", "health_manager",
        "enable_autoscaling", "{tru")).isEqualTo(2);
    assertThat(err.toString()).contains("--json value {tru is not valid JSON");
  }

  @Test
  void setupCoreRefusesABadEndpoint() {
    assertThat(run("setup", "core", "--home", home.toString(), "http://x/")).isEqualTo(2);
    assertThat(err.toString()).contains("bad API endpoint");
  }

  @Test
  void logTailPrintsTheLastLinesOfEachProcess() throws Exception {
    java.nio.file.Files.createDirectories(home.resolve("logs"));
    java.nio.file.Files.writeString(home.resolve("logs/dea.log"), "one\ntwo\nthree\n");
    java.nio.file.Files.writeString(home.resolve("logs/router.log"), "r1\n");
    assertThat(run("log", "tail", "--home", home.toString(), "-n", "2", "--no-follow")).isZero();
    assertThat(out.toString()).isEqualTo("[dea] two\n[dea] three\n[router] r1\n");
    out.getBuffer().setLength(0);
    assertThat(run("log", "tail", "--home", home.toString(), "--no-follow", "dea")).isZero();
    assertThat(out.toString()).contains("[dea] one").doesNotContain("router");
    assertThat(run("log", "tail", "--home", home.toString(), "--no-follow", "mongodb"))
        .isEqualTo(1);
    assertThat(err.toString()).contains("unknown component 'mongodb'");
  }

  @Test
  void commandsWithoutAnAgentSaySo() {
    for (List<String> args : List.of(List.of("status"), List.of("node", "list"),
        List.of("config", "get", "dea"), List.of("restart", "dea"))) {
      err.getBuffer().setLength(0);
      List<String> withHome = new java.util.ArrayList<>(args);
      withHome.add("--home");
      withHome.add(home.toString());
      assertThat(run(withHome.toArray(String[]::new))).isEqualTo(1);
      assertThat(err.toString()).contains("this node has no agent yet");
    }
  }

  @Test
  void templateMarksShowsAndUnmarksAndACopyGivenACoreAttachesAtBoot() throws Exception {
    Path updraft = home.resolve("updraft");
    assertThat(run("template", "--home", updraft.toString())).isZero();
    assertThat(updraft.resolve("dea-template")).exists();
    assertThat(out.toString()).contains("marked as the DEA template");
    assertThat(run("template", "--status", "--home", updraft.toString())).isZero();
    assertThat(out.toString()).contains("this node is the DEA template");
    assertThat(run("template", "--status", "--remove", "--home", updraft.toString()))
        .isEqualTo(2);

    // what kato agent does first at boot: the core given in the environment
    var plan = TemplateCommand.atBoot(updraft, java.util.Map.of("UPDRAFT_CORE", "127.0.0.1"),
        new PrintWriter(out, true));
    assertThat(plan.action()).isEqualTo(io.updraft.kato.node.DeaTemplate.Action.ATTACH);
    var node = io.updraft.kato.node.NodeConfig.readNode(updraft.resolve("node.yml"));
    assertThat(node.roles()).containsExactly("dea");
    assertThat(node.coreAddress()).isEqualTo("127.0.0.1:5701");
    assertThat(updraft.resolve("dea-template")).doesNotExist();
    assertThat(out.toString()).contains("attaching as a DEA to the core at 127.0.0.1");
  }
}
