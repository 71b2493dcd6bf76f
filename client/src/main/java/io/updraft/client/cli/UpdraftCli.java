package io.updraft.client.cli;

import io.updraft.client.api.CloudException;
import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code updraft} command tree; failures become one line and exit status 1. */
@Command(name = "updraft", mixinStandardHelpOptions = true, version = "updraft 0.1.0",
    scope = CommandLine.ScopeType.INHERIT,
    description = "Push and manage apps on an Updraft cloud.",
    subcommands = {SessionCommands.Target.class, SessionCommands.Login.class,
        SessionCommands.Logout.class, SessionCommands.Register.class, SessionCommands.Info.class,
        SessionCommands.User.class, PushCommand.class, AppCommands.Apps.class,
        AppCommands.App.class, AppCommands.Start.class, AppCommands.Stop.class,
        AppCommands.Restart.class, AppCommands.Delete.class, AppCommands.Instances.class,
        AppCommands.Scale.class, AppCommands.Mem.class, AppCommands.MapUrl.class,
        AppCommands.Unmap.class, AppCommands.Stats.class, AppCommands.Crashes.class,
        AppCommands.Env.class, AppCommands.EnvAdd.class, AppCommands.EnvDel.class,
        FileCommands.Files.class, FileCommands.Logs.class, AppCommands.Runtimes.class,
        AppCommands.Frameworks.class, ServiceCommands.Services.class,
        ServiceCommands.Create.class, ServiceCommands.Delete.class, ServiceCommands.Bind.class,
        ServiceCommands.Unbind.class, EventCommands.Events.class, EventCommands.ScalePool.class,
        DrainCommands.class,
        CommandLine.HelpCommand.class})
public final class UpdraftCli implements Runnable {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Runs one command line with the given environment; returns the exit status. */
  public static int run(Map<String, String> env, PrintWriter out, PrintWriter err,
      String... args) {
    Base.environment = env;
    CommandLine cli = new CommandLine(new UpdraftCli());
    cli.setOut(out);
    cli.setErr(err);
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      String message = e instanceof CloudException ? e.getMessage()
          : e.getClass().getSimpleName() + ": " + e.getMessage();
      commandLine.getErr().println("updraft: " + message);
      commandLine.getErr().flush();
      return 1;
    });
    return cli.execute(args);
  }
}
