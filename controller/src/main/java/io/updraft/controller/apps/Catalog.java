package io.updraft.controller.apps;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The frameworks and runtimes the cloud offers ({@code /info}, {@code /info/runtimes}). Each
 * framework maps to a stager buildpack; {@code null} framework means "let the stager detect".
 */
public final class Catalog {

  /** A runtime apps can run on. */
  public record Runtime(String name, String version, String description) {
  }

  /** A framework: which runtimes it accepts, the first being its default. */
  public record Framework(String name, List<String> runtimes, int defaultMemoryMb) {
  }

  public static final List<Runtime> RUNTIMES = List.of(
      new Runtime("java", "17", "Java 17"),
      new Runtime("node", "node", "Node.js"),
      new Runtime("python", "3", "Python 3"),
      new Runtime("static", "1", "Static files"),
      new Runtime("standalone", "1", "Any command (Procfile or manifest command)"));

  public static final List<Framework> FRAMEWORKS = List.of(
      new Framework("java", List.of("java"), 512),
      new Framework("java_maven", List.of("java"), 512),
      new Framework("node", List.of("node"), 128),
      new Framework("python", List.of("python"), 128),
      new Framework("static", List.of("static"), 64),
      new Framework("standalone", List.of("standalone", "java", "node", "python"), 128));

  private Catalog() {
  }

  public static Optional<Framework> framework(String name) {
    return FRAMEWORKS.stream().filter(f -> f.name().equals(name)).findFirst();
  }

  public static boolean knownRuntime(String name) {
    return RUNTIMES.stream().anyMatch(r -> r.name().equals(name));
  }

  /** {@code /info/runtimes}: {@code {name: {version, description, debug_modes}}}. */
  public static Map<String, Object> runtimesJson() {
    Map<String, Object> out = new LinkedHashMap<>();
    for (Runtime r : RUNTIMES) {
      out.put(r.name(), Map.of("version", r.version(), "description", r.description(),
          "debug_modes", List.of()));
    }
    return out;
  }

  /** {@code /info} frameworks: {@code {name: {name, runtimes: [{name, version, description}]}}}. */
  public static Map<String, Object> frameworksJson() {
    Map<String, Object> out = new LinkedHashMap<>();
    for (Framework f : FRAMEWORKS) {
      out.put(f.name(), Map.of("name", f.name(), "runtimes", f.runtimes().stream()
          .map(n -> RUNTIMES.stream().filter(r -> r.name().equals(n)).findFirst().orElseThrow())
          .map(r -> Map.of("name", r.name(), "version", r.version(),
              "description", r.description()))
          .toList(), "detection", List.of()));
    }
    return out;
  }
}
