package io.updraft.stager.isolation;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The build tools of the stack, as a build container sees them: looked up on the container's
 * PATH inside the stack's root file system, symlinks resolved inside that root (the stack's
 * {@code /usr/bin/java} is an absolute link through {@code /etc/alternatives}, which on the
 * host would name the host's own files). Blocking (file system).
 */
public final class StackTools {

  /** PATH of build steps in a container. */
  public static final String PATH = "/usr/local/bin:/usr/bin:/bin";
  /** Links followed at most while resolving one path (as the kernel's ELOOP limit). */
  private static final int MAX_LINKS = 40;
  /**
   * The Debian package of the stack that provides a tool, for the error naming what to add to
   * {@code scripts/build-stack}; a tool not listed is its own package name.
   */
  private static final Map<String, String> PACKAGES = Map.of(
      "mvn", "maven",
      "node", "nodejs",
      "java", "openjdk-17-jre-headless",
      "pip3", "python3-pip");

  private StackTools() {
  }

  /** {@code tool} on {@link #PATH} in {@code stack}: its path inside the container. */
  public static Optional<Path> which(Path stack, String tool) {
    if (tool.isEmpty() || tool.contains("/")) {
      return Optional.empty();
    }
    for (String dir : PATH.split(":")) {
      String inContainer = dir + "/" + tool;
      Optional<Path> host = resolve(stack, inContainer);
      if (host.isPresent() && Files.isRegularFile(host.get(), LinkOption.NOFOLLOW_LINKS)
          && Files.isExecutable(host.get())) {
        return Optional.of(Path.of(inContainer));
      }
    }
    return Optional.empty();
  }

  /** The staging error when {@code tool} is not in the stack. */
  public static String missing(String tool, String buildpack) {
    String pkg = PACKAGES.getOrDefault(tool, tool);
    String message = tool + " is not in the stack; add " + pkg
        + " to scripts/build-stack's package list (the " + buildpack
        + " buildpack runs it in a build container on the stack)";
    if (tool.equals("mvn")) {
      message += "; Maven compiles with javac, so the stack also needs a JDK "
          + "(openjdk-17-jdk-headless), not only its JRE";
    }
    return message;
  }

  /**
   * The host path of {@code path} (absolute, as the container sees it) inside {@code root},
   * every symlink on the way resolved inside {@code root}; empty when a component is missing
   * or the links loop.
   */
  static Optional<Path> resolve(Path root, String path) {
    Deque<String> todo = new ArrayDeque<>(List.of(path.split("/")));
    Deque<String> done = new ArrayDeque<>();
    int links = 0;
    while (!todo.isEmpty()) {
      String part = todo.pollFirst();
      if (part.isEmpty() || part.equals(".")) {
        continue;
      }
      if (part.equals("..")) {
        done.pollLast(); // ".." of the root is the root
        continue;
      }
      Path here = root.resolve(String.join("/", done)).resolve(part);
      if (Files.isSymbolicLink(here)) {
        if (++links > MAX_LINKS) {
          return Optional.empty();
        }
        String target;
        try {
          target = Files.readSymbolicLink(here).toString();
        } catch (IOException e) {
          return Optional.empty();
        }
        if (target.startsWith("/")) {
          done.clear();
        }
        List<String> parts = List.of(target.split("/"));
        for (int i = parts.size() - 1; i >= 0; i--) {
          todo.addFirst(parts.get(i));
        }
        continue;
      }
      if (!Files.exists(here, LinkOption.NOFOLLOW_LINKS)) {
        return Optional.empty();
      }
      done.addLast(part);
    }
    return Optional.of(root.resolve(String.join("/", done)));
  }
}
