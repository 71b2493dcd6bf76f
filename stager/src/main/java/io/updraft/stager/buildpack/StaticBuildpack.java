package io.updraft.stager.buildpack;

import io.updraft.common.protocol.staging.StagingProperties;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * A static site: {@code index.html} at the top, else a {@code dist/} or {@code public/}
 * directory. Served by Python's standard-library server, {@code python3 -m http.server}:
 * python3 is on every machine a DEA runs on, the server is threaded, refuses paths outside its
 * directory, starts in a fraction of a second in about 10 MB, and nothing has to be shipped in
 * the droplet. (A small Java server copied from the stager jar would need a JVM per instance
 * for a few HTML files.)
 */
public final class StaticBuildpack implements Buildpack {

  @Override
  public String name() {
    return "static";
  }

  @Override
  public String runtime() {
    return "python3";
  }

  @Override
  public String expects() {
    return "index.html, dist/ or public/";
  }

  @Override
  public Optional<String> detect(Path appDir, StagingProperties properties) {
    return root(appDir);
  }

  @Override
  public void compile(BuildContext ctx) {
    // nothing to build: the files are served as they are
  }

  @Override
  public StartCommand startCommand(BuildContext ctx) {
    String dir = root(ctx.appDir()).filter(r -> !r.equals("index.html")).orElse(".");
    return new StartCommand("python3 -m http.server \"$PORT\" --bind 0.0.0.0 --directory "
        + Shell.quote(dir), Map.of("PYTHONUNBUFFERED", "1"), "python3");
  }

  /** What is served: {@code index.html} (the app's top), {@code dist} or {@code public}. */
  private static Optional<String> root(Path appDir) {
    if (Files.isRegularFile(appDir.resolve("index.html"), LinkOption.NOFOLLOW_LINKS)) {
      return Optional.of("index.html");
    }
    for (String dir : new String[] {"dist", "public"}) {
      if (Files.isDirectory(appDir.resolve(dir), LinkOption.NOFOLLOW_LINKS)) {
        return Optional.of(dir);
      }
    }
    return Optional.empty();
  }
}
