package io.updraft.client;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code updraft}: the app developer's command line. The commands (target, login, push, apps,
 * scale, logs, services, …) arrive with the client issue; this is the entry point they hang on.
 */
@Command(name = "updraft", mixinStandardHelpOptions = true, version = "updraft 0.1.0-SNAPSHOT",
    description = "Push and manage apps on an Updraft cloud.",
    subcommands = CommandLine.HelpCommand.class)
public final class UpdraftMain implements Runnable {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(new CommandLine(new UpdraftMain()).execute(args));
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }
}
