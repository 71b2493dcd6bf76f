package io.updraft.client.cli;

import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** What every command has: {@code --json}, the session, and one way to run. */
abstract class Base implements Callable<Integer> {

  /** The environment commands read; tests replace it. */
  static volatile Map<String, String> environment = System.getenv();

  @Spec
  CommandSpec spec;

  @Option(names = "--json", description = "machine-readable output")
  boolean json;

  Session session;

  @Override
  public final Integer call() throws Exception {
    session = new Session(environment, new Output(spec.commandLine().getOut(),
        !json && Output.colorWanted(environment)));
    run();
    return 0;
  }

  abstract void run() throws Exception;

  Output out() {
    return session.out;
  }
}
