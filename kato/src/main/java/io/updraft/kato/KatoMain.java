package io.updraft.kato;

import io.updraft.common.config.ConfigException;
import io.updraft.kato.agent.AgentClient;
import io.updraft.kato.commands.AgentRunCommand;
import io.updraft.kato.commands.AttachCommand;
import io.updraft.kato.commands.ConfigCommand;
import io.updraft.kato.commands.LogCommand;
import io.updraft.kato.commands.NodeCommands;
import io.updraft.kato.commands.ProcessCommands;
import io.updraft.kato.commands.SetupCommand;
import io.updraft.kato.commands.TemplateCommand;
import io.updraft.kato.micro.MicroCommand;
import io.updraft.kato.nats.NatsCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code kato}: the operator's command line. Each command group lives in its own package;
 * this class only assembles them and turns failures into one line and an exit status.
 */
@Command(name = "kato", mixinStandardHelpOptions = true,
    versionProvider = KatoMain.Version.class,
    description = "Administer an Updraft node and cluster.",
    subcommands = {SetupCommand.class, AttachCommand.class, NodeCommands.Detach.class,
        NodeCommands.Enable.class, NodeCommands.Disable.class, NodeCommands.Role.class,
        NodeCommands.Node.class, NodeCommands.Rename.class, ProcessCommands.Status.class,
        ProcessCommands.Start.class, ProcessCommands.Stop.class, ProcessCommands.Restart.class,
        ProcessCommands.Process.class, NodeCommands.Info.class, LogCommand.class,
        NatsCommand.class, ConfigCommand.class, AgentRunCommand.class, MicroCommand.class,
        TemplateCommand.class, KatoMain.VersionCommand.class, CommandLine.HelpCommand.class})
public final class KatoMain {

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs a command line and returns its exit status (tests call this). */
  public static int run(String... args) {
    CommandLine cli = commandLine();
    int status = cli.execute(args);
    cli.getOut().flush();
    cli.getErr().flush();
    return status;
  }

  public static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new KatoMain());
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      String message = e instanceof ConfigException || e instanceof AgentClient.AgentError
          || e instanceof AgentClient.AgentUnavailable || e instanceof IllegalArgumentException
          || e instanceof IllegalStateException ? e.getMessage()
          : e.getClass().getSimpleName() + ": " + e.getMessage();
      commandLine.getErr().println("kato: " + message);
      return 1;
    });
    return cli;
  }

  /** The build's version, from the jar manifest when there is one. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"kato (Updraft) " + version()};
    }
  }

  /** "kato (Updraft) VERSION". */
  public static String versionString() {
    return "kato (Updraft) " + version();
  }

  static String version() {
    String v = KatoMain.class.getPackage().getImplementationVersion();
    return v != null ? v : "0.1.0-SNAPSHOT";
  }

  @Command(name = "version", description = "Print the Updraft version.")
  static final class VersionCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
      spec.commandLine().getOut().println("kato (Updraft) " + version());
    }
  }
}
