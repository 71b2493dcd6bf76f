package io.updraft.stager.buildpack;

import io.updraft.common.protocol.staging.StagingProperties;
import io.updraft.stager.task.StagingException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.stream.Stream;

/**
 * An executable jar: a single {@code *.jar} with a {@code Main-Class} at the top of the app,
 * else one in {@code target/} (a Maven build pushed with its output). Started with
 * {@code java -jar}, the heap at three quarters of the app's memory (the rest is metaspace,
 * threads and buffers), the port both in {@code $PORT} and as {@code -Dserver.port} (Spring
 * Boot and friends read it).
 */
public final class JavaJarBuildpack implements Buildpack {

  /** Share of the app's memory given to the Java heap. */
  static final double HEAP_SHARE = 0.75;

  @Override
  public String name() {
    return "java-jar";
  }

  @Override
  public String runtime() {
    return "java";
  }

  @Override
  public String expects() {
    return "an executable *.jar (Main-Class) at the top or in target/";
  }

  @Override
  public Optional<String> detect(Path appDir, StagingProperties properties) {
    return findJar(appDir).map(jar -> appDir.relativize(jar).toString());
  }

  @Override
  public void compile(BuildContext ctx) {
    // nothing to build: the jar is the app
  }

  @Override
  public StartCommand startCommand(BuildContext ctx) throws StagingException {
    Path jar = findJar(ctx.appDir()).orElseThrow(() ->
        new StagingException("No executable jar found (a *.jar with Main-Class)"));
    return command(ctx, ctx.appDir().relativize(jar).toString());
  }

  static StartCommand command(BuildContext ctx, String jar) {
    long heapMb = Math.max(16, Math.round(ctx.appMemoryMb() * HEAP_SHARE));
    return StartCommand.of("java -Xmx" + heapMb + "m -Dserver.port=$PORT $JAVA_OPTS -jar "
        + Shell.quote(jar), "java");
  }

  /** The jar to run: exactly one executable jar at the top, else the biggest in target/. */
  static Optional<Path> findJar(Path appDir) {
    List<Path> top = executableJars(appDir);
    if (top.size() == 1) {
      return Optional.of(top.get(0));
    }
    if (!top.isEmpty()) {
      return Optional.empty(); // ambiguous: a Procfile must say which
    }
    // a shaded jar is bigger than the thin one it replaces
    return executableJars(appDir.resolve("target")).stream()
        .max(Comparator.comparingLong(JavaJarBuildpack::size));
  }

  private static List<Path> executableJars(Path dir) {
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
          .filter(p -> {
            String n = p.getFileName().toString();
            return n.endsWith(".jar") && !n.endsWith("-sources.jar")
                && !n.endsWith("-javadoc.jar") && !n.startsWith("original-");
          })
          .filter(JavaJarBuildpack::hasMainClass)
          .sorted()
          .toList();
    } catch (IOException e) {
      return List.of();
    }
  }

  static boolean hasMainClass(Path jar) {
    try (JarFile file = new JarFile(jar.toFile())) {
      Manifest manifest = file.getManifest();
      return manifest != null && manifest.getMainAttributes().getValue("Main-Class") != null;
    } catch (IOException e) {
      return false;
    }
  }

  private static long size(Path p) {
    try {
      return Files.size(p);
    } catch (IOException e) {
      return 0;
    }
  }
}
