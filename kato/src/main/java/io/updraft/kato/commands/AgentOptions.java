package io.updraft.kato.commands;

import io.updraft.kato.agent.AgentClient;
import io.updraft.kato.node.NodeConfig;
import java.nio.file.Path;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** Where this node's settings are: {@code --home}, else $UPDRAFT_HOME, else ~/.updraft. */
public final class AgentOptions {

  @Option(names = "--home", paramLabel = "DIR", scope = ScopeType.INHERIT,
      description = "this node's directory (default: $UPDRAFT_HOME, else ~/.updraft)")
  Path home;

  public Path home() {
    return home != null ? home : NodeConfig.home();
  }

  public AgentClient client() {
    return AgentClient.forHome(home());
  }
}
