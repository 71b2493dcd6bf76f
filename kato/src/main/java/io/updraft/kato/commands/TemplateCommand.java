package io.updraft.kato.commands;

import io.updraft.kato.node.DeaTemplate;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code kato template}: mark this node as the DEA template (also {@code kato node template}),
 * show whether it is one, or unmark it. The boot-time side is {@link #atBoot}, which
 * {@code kato agent} runs before the agent starts.
 */
@Command(name = "template", mixinStandardHelpOptions = true,
    description = {"Mark this node as the DEA template: nodes booted from its image (a VM "
        + "snapshot, a container image) attach themselves as DEAs to the core whose address they "
        + "were given at boot (UPDRAFT_CORE, /etc/updraft/core_address or the cloud-init user "
        + "data). Stackato's ~/.stackato-dea-template works too.",
        "Typical: kato attach -e dea CORE_IP; kato template; power off and snapshot."})
public final class TemplateCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Mixin
  AgentOptions options;

  @Option(names = "--status", description = "only say whether this node is marked")
  boolean status;

  @Option(names = "--remove", description = "remove the marks (Updraft's and Stackato's)")
  boolean remove;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    if (status && remove) {
      spec.commandLine().getErr().println("kato template: --status and --remove exclude each "
          + "other");
      return 2;
    }
    DeaTemplate.Places places = DeaTemplate.Places.standard(options.home());
    if (status) {
      out.println(DeaTemplate.marked(places) ? "this node is the DEA template" 
          : "this node is not marked as the DEA template");
      return 0;
    }
    if (remove) {
      List<Path> removed = DeaTemplate.unmark(places);
      out.println(removed.isEmpty() ? "this node was not marked"
          : "removed " + String.join(", ", removed.stream().map(Path::toString).toList()));
      return 0;
    }
    Path mark = DeaTemplate.mark(places);
    out.println("marked as the DEA template (" + mark + "); power the node off and snapshot "
        + "it: nodes booted from it attach as DEAs to the core given at boot");
    return 0;
  }

  /**
   * At boot, before the agent starts: a copy of the template that was given a core address
   * becomes a DEA of that cluster (see {@link DeaTemplate}). Returns what it did, for the log.
   */
  static DeaTemplate.Plan atBoot(Path home, Map<String, String> env, PrintWriter out)
      throws java.io.IOException {
    DeaTemplate.Places places = DeaTemplate.Places.standard(home);
    DeaTemplate.Plan plan = DeaTemplate.plan(places, env);
    if (plan.action() == DeaTemplate.Action.ATTACH) {
      String host = plan.core().contains(":")
          ? plan.core().substring(0, plan.core().lastIndexOf(':')) : plan.core();
      String ip = AttachCommand.localAddressTowards(host,
          io.updraft.kato.node.NodeConfig.DEFAULT_HAZELCAST_PORT);
      DeaTemplate.attach(places, plan.core(), ip, Jars.defaultDir());
      out.println("DEA template: attaching as a DEA to the core at " + plan.core() + " (from "
          + plan.source() + ")");
    } else if (plan.action() == DeaTemplate.Action.STAY_TEMPLATE) {
      out.println("DEA template: no core address given at boot (" + DeaTemplate.CORE_ENV
          + ", " + DeaTemplate.CORE_FILE + ", cloud-init user data); staying the template");
    }
    return plan;
  }
}
