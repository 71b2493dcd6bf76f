package io.updraft.kato.commands;

import io.updraft.common.files.PrivateFiles;
import io.updraft.kato.agent.NodeAgent;
import io.updraft.kato.roles.Roles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code kato agent}: run this node's agent (in the foreground, or {@code --daemon}). */
@Command(name = "agent", mixinStandardHelpOptions = true,
    description = {"Run this node's agent: it supervises the processes of the node's roles, "
        + "keeps the node in the cluster and serves kato on 127.0.0.1 (agent_port in node.yml).",
        "kato setup core and kato attach start it; run it yourself after a reboot "
            + "(e.g. from systemd) or with --daemon."})
public final class AgentRunCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Mixin
  AgentOptions options;

  @Option(names = "--daemon", description = "start it in the background and return")
  boolean daemon;

  @Option(names = "--stop", description = "stop the running agent and every process it runs")
  boolean stop;

  @Option(names = "--roles-file", paramLabel = "FILE",
      description = "roles file to use instead of the built-in one")
  Path rolesFile;

  @Override
  public Integer call() throws Exception {
    Path home = options.home();
    if (!stop) {
      // a node booted from the DEA template joins as a DEA before its agent starts
      TemplateCommand.atBoot(home, System.getenv(), spec.commandLine().getOut());
    }
    if (!Files.isRegularFile(home.resolve("node.yml"))) {
      spec.commandLine().getErr().println("kato agent: " + home.resolve("node.yml")
          + " does not exist; run 'kato setup core api.DOMAIN' or 'kato attach -e ROLE CORE_IP'");
      return 1;
    }
    if (stop) {
      AgentProcess.stopIfRunning(home, Duration.ofSeconds(90));
      spec.commandLine().getOut().println("agent stopped");
      return 0;
    }
    if (daemon) {
      AgentProcess.ensureRunning(home, Duration.ofSeconds(60));
      spec.commandLine().getOut().println("agent running; log: " + home.resolve("logs/agent.log"));
      return 0;
    }
    Roles roles = rolesFile != null ? Roles.load(rolesFile) : Roles.builtIn();
    NodeAgent agent = new NodeAgent(home, roles, NodeAgent.Options.standard());
    Runtime.getRuntime().addShutdownHook(new Thread(agent::close, "kato-agent-shutdown"));
    Path pid = home.resolve("agent.pid");
    agent.start();
    PrivateFiles.writeString(pid, ProcessHandle.current().pid() + "\n");
    agent.closed().join();
    Files.deleteIfExists(pid);
    return 0;
  }
}
