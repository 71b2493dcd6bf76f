package io.updraft.stager.buildpack;

import io.updraft.common.protocol.staging.StagingProperties;
import io.updraft.stager.task.StagingException;
import io.updraft.stager.task.StagingLog;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The buildpacks in detection order, and the choice of one for an app: the request's
 * {@code framework} names it directly when it is one of ours, otherwise the first buildpack
 * that detects the app wins. The order and the outcome are written to the staging log.
 */
public final class Buildpacks {

  /** Names in detection order: most explicit first, the catch-all static site last. */
  public static final List<String> ORDER =
      List.of("procfile", "java-jar", "java-maven", "node", "python", "static");

  /**
   * {@code properties.framework} values and the buildpacks they select (tried in this order).
   * Our names and the v1/Stackato names for the same things.
   */
  private static final Map<String, List<String>> FRAMEWORKS = Map.ofEntries(
      Map.entry("standalone", List.of("procfile")),
      Map.entry("java", List.of("java-jar", "java-maven")),
      Map.entry("java_maven", List.of("java-maven")),
      Map.entry("node", List.of("node")),
      Map.entry("nodejs", List.of("node")),
      Map.entry("python", List.of("python")),
      Map.entry("wsgi", List.of("python")),
      Map.entry("django", List.of("python")),
      Map.entry("static", List.of("static")),
      Map.entry("html5", List.of("static")));

  private final List<Buildpack> all;

  public Buildpacks(List<Buildpack> all) {
    this.all = List.copyOf(all);
  }

  /** The standard set, in {@link #ORDER}. */
  public static Buildpacks standard() {
    JavaJarBuildpack jar = new JavaJarBuildpack();
    JavaMavenBuildpack maven = new JavaMavenBuildpack();
    NodeBuildpack node = new NodeBuildpack();
    PythonBuildpack python = new PythonBuildpack();
    return new Buildpacks(List.of(new ProcfileBuildpack(List.of(jar, maven, node, python)),
        jar, maven, node, python, new StaticBuildpack()));
  }

  public List<Buildpack> all() {
    return all;
  }

  /** The chosen buildpack and why. */
  public record Choice(Buildpack buildpack, String reason) {
  }

  /**
   * Chooses the buildpack for the app in {@code appDir}, logging the detection.
   *
   * @throws StagingException "No buildpack detected: expected one of …" when none applies,
   *     or why the requested framework's buildpack does not fit the app
   */
  public Choice choose(Path appDir, StagingProperties properties, StagingLog log)
      throws StagingException {
    String framework = properties.framework() == null ? ""
        : properties.framework().strip().toLowerCase(Locale.ROOT);
    List<String> named = FRAMEWORKS.getOrDefault(framework,
        ORDER.contains(framework) ? List.of(framework) : List.of());
    if (!named.isEmpty()) {
      log.line("Framework " + framework + " selects buildpack " + String.join(" or ", named));
      for (String name : named) {
        Buildpack buildpack = byName(name);
        Optional<String> why = buildpack.detect(appDir, properties);
        if (why.isPresent()) {
          log.line("Using buildpack " + buildpack.name() + " (" + why.get() + ")");
          return new Choice(buildpack, why.get());
        }
      }
      throw new StagingException("Framework " + framework + " needs "
          + named.stream().map(n -> byName(n).expects()).collect(Collectors.joining(" or "))
          + ", and the app has none");
    }
    if (!framework.isEmpty()) {
      log.line("Framework " + framework + " has no buildpack of its own: detecting");
    }
    log.line("Detecting buildpack, in order: "
        + all.stream().map(Buildpack::name).collect(Collectors.joining(", ")));
    for (Buildpack buildpack : all) {
      Optional<String> why = buildpack.detect(appDir, properties);
      if (why.isPresent()) {
        log.line("  " + buildpack.name() + ": yes (" + why.get() + ")");
        log.line("Using buildpack " + buildpack.name() + " (" + why.get() + ")");
        return new Choice(buildpack, why.get());
      }
      log.line("  " + buildpack.name() + ": no");
    }
    throw new StagingException("No buildpack detected: expected one of "
        + all.stream().map(b -> b.expects() + " (" + b.name() + ")")
            .collect(Collectors.joining("; ")));
  }

  private Buildpack byName(String name) {
    return all.stream().filter(b -> b.name().equals(name)).findFirst()
        .orElseThrow(() -> new IllegalStateException("no buildpack " + name));
  }

  /**
   * The start command: the app's own (manifest command, Procfile) when it has one, whatever
   * the buildpack, else the buildpack's.
   */
  public static StartCommand startCommand(Buildpack buildpack, BuildContext ctx)
      throws StagingException {
    Optional<Procfile.Command> own = Procfile.command(ctx.appDir(), ctx.properties());
    if (own.isPresent() && !(buildpack instanceof ProcfileBuildpack)) {
      ctx.log().line("Start command from the " + own.get().source() + " replaces the "
          + buildpack.name() + " default");
      return new StartCommand(own.get().command(), buildpack.startEnvironment(ctx),
          buildpack.runtime());
    }
    return buildpack.startCommand(ctx);
  }
}
