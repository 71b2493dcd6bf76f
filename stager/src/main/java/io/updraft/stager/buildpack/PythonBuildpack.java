package io.updraft.stager.buildpack;

import io.updraft.common.protocol.staging.StagingProperties;
import io.updraft.stager.process.BuildProcess;
import io.updraft.stager.task.StagingException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Python ({@code requirements.txt}, {@code app.py}, {@code wsgi.py}, {@code manage.py}).
 * Requirements are installed with {@code pip install --target .python_packages} and put on
 * {@code PYTHONPATH}: unlike a virtualenv, whose scripts and config hold absolute paths, that
 * directory still works once the droplet is unpacked elsewhere on a DEA. Started with
 * {@code python3 app.py}; a {@code wsgi.py} under gunicorn when it is required, else under
 * the standard library's wsgiref; Django through {@code manage.py runserver}.
 */
public final class PythonBuildpack implements Buildpack {

  static final String PACKAGES_DIR = ".python_packages";
  private static final List<String> MARKERS =
      List.of("requirements.txt", "app.py", "wsgi.py", "manage.py");
  /** Serves {@code wsgi.application} (or {@code wsgi.app}) with the standard library only. */
  private static final String WSGIREF = "import os, wsgi; "
      + "from wsgiref.simple_server import make_server; "
      + "app = getattr(wsgi, 'application', None) or getattr(wsgi, 'app'); "
      + "make_server('0.0.0.0', int(os.environ['PORT']), app).serve_forever()";

  @Override
  public String name() {
    return "python";
  }

  @Override
  public String expects() {
    return String.join(", ", MARKERS);
  }

  @Override
  public Optional<String> detect(Path appDir, StagingProperties properties) {
    return MARKERS.stream()
        .filter(m -> Files.isRegularFile(appDir.resolve(m), LinkOption.NOFOLLOW_LINKS))
        .findFirst();
  }

  @Override
  public void compile(BuildContext ctx) throws StagingException {
    Path python = ctx.require("python3", name());
    List<String> requirements = requirements(ctx.appDir());
    if (requirements.isEmpty()) {
      ctx.log().line("No requirements to install: standard library only");
      return;
    }
    if (ctx.config().offline()) {
      throw new StagingException("Cannot install requirements.txt: this stager is offline "
          + "and has no Python package index");
    }
    String index = ctx.config().pipIndexUrl();
    Optional<String> problem = ctx.registryProblem(index);
    if (problem.isPresent()) {
      throw new StagingException("Cannot install requirements.txt: the Python package index "
          + index + " " + problem.get());
    }
    BuildProcess.Result result = ctx.run(List.of(python.toString(), "-m", "pip", "install",
        "--disable-pip-version-check", "--no-input", "--index-url", index,
        "--target", PACKAGES_DIR, "-r", "requirements.txt"), Map.of());
    if (!result.succeeded()) {
      throw new StagingException("pip install failed (exit " + result.exitCode() + "):\n"
          + result.tailText());
    }
  }

  @Override
  public StartCommand startCommand(BuildContext ctx) throws StagingException {
    Path app = ctx.appDir();
    Map<String, String> env = startEnvironment(ctx);
    if (Files.isRegularFile(app.resolve("app.py"))) {
      return new StartCommand("python3 app.py", env, "python3");
    }
    if (Files.isRegularFile(app.resolve("wsgi.py"))) {
      boolean gunicorn = requirements(app).stream()
          .anyMatch(r -> r.toLowerCase(Locale.ROOT).startsWith("gunicorn"));
      return new StartCommand(gunicorn
          ? "python3 -m gunicorn --bind 0.0.0.0:$PORT wsgi:application"
          : "python3 -c " + Shell.quote(WSGIREF), env, "python3");
    }
    if (Files.isRegularFile(app.resolve("manage.py"))) {
      return new StartCommand("python3 manage.py runserver 0.0.0.0:$PORT --noreload", env,
          "python3");
    }
    throw new StagingException("Python app has nothing to start: add app.py, wsgi.py or "
        + "manage.py, or a Procfile web: line");
  }

  @Override
  public Map<String, String> startEnvironment(BuildContext ctx) {
    return Files.isDirectory(ctx.appDir().resolve(PACKAGES_DIR))
        ? Map.of("PYTHONUNBUFFERED", "1", "PYTHONPATH", "$APP_DIR/" + PACKAGES_DIR)
        : Map.of("PYTHONUNBUFFERED", "1");
  }

  @Override
  public String runtime() {
    return "python3";
  }

  /** The requirement lines of {@code requirements.txt} (no blanks, no comments). */
  static List<String> requirements(Path appDir) {
    Path file = appDir.resolve("requirements.txt");
    if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
      return List.of();
    }
    try {
      return Files.readAllLines(file).stream()
          .map(l -> {
            int hash = l.indexOf('#');
            return (hash >= 0 ? l.substring(0, hash) : l).strip();
          })
          .filter(l -> !l.isEmpty())
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
