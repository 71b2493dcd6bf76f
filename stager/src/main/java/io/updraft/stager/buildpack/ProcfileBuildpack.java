package io.updraft.stager.buildpack;

import io.updraft.common.protocol.staging.StagingProperties;
import io.updraft.stager.task.StagingException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Anything with its own start command: the manifest's {@code command} or a Procfile
 * {@code web:} line. The command is run as given; when the app also looks like one of the
 * language buildpacks (a {@code requirements.txt}, a {@code package.json}, a {@code pom.xml}),
 * that buildpack's build step runs first, so dependencies are installed as usual.
 */
public final class ProcfileBuildpack implements Buildpack {

  private final List<Buildpack> languages;

  /** {@code languages}: whose build steps may run under a Procfile, in detection order. */
  public ProcfileBuildpack(List<Buildpack> languages) {
    this.languages = List.copyOf(languages);
  }

  @Override
  public String name() {
    return "procfile";
  }

  @Override
  public String runtime() {
    return "standalone";
  }

  @Override
  public String expects() {
    return "a Procfile web: line or a manifest command";
  }

  @Override
  public Optional<String> detect(Path appDir, StagingProperties properties) {
    return Procfile.command(appDir, properties).map(Procfile.Command::source);
  }

  @Override
  public void compile(BuildContext ctx) throws StagingException {
    for (Buildpack language : languages) {
      Optional<String> why = language.detect(ctx.appDir(), ctx.properties());
      if (why.isPresent()) {
        ctx.log().line("Running the " + language.name() + " build step (" + why.get() + ")");
        language.compile(ctx);
        return;
      }
    }
  }

  @Override
  public StartCommand startCommand(BuildContext ctx) throws StagingException {
    Procfile.Command command = Procfile.command(ctx.appDir(), ctx.properties())
        .orElseThrow(() -> new StagingException("No start command: " + expects()));
    for (Buildpack language : languages) {
      if (language.detect(ctx.appDir(), ctx.properties()).isPresent()) {
        // keep the language's environment (PYTHONPATH, node_modules/.bin …) for the command
        return new StartCommand(command.command(), language.startEnvironment(ctx),
            language.runtime());
      }
    }
    return StartCommand.of(command.command(), runtime());
  }
}
