package io.updraft.stager.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/** The apps under {@code examples/}, and the java-jar example built without Maven. */
public final class Examples {

  private Examples() {
  }

  public static Path dir(String name) {
    // surefire and failsafe run in the module directory
    Path dir = Path.of("..", "examples", name).toAbsolutePath().normalize();
    if (!Files.isDirectory(dir)) {
      throw new IllegalStateException("no example " + dir);
    }
    return dir;
  }

  /** {@code executable}: whether a program is on the PATH (node is not on every machine). */
  public static boolean onPath(String executable) {
    for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (!d.isEmpty() && Files.isExecutable(Path.of(d, executable))) {
        return true;
      }
    }
    return false;
  }

  /** Compiles the java-jar example into an executable jar at {@code jar} (javac in-process). */
  public static Path buildHelloJar(Path workDir, Path jar) {
    try {
      Path src = dir("java-jar")
          .resolve("src/main/java/io/updraft/examples/hello/HelloServer.java");
      Path classes = Files.createDirectories(workDir.resolve("classes"));
      JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
      int rc = javac.run(null, null, null, "--release", "17", "-d", classes.toString(),
          src.toString());
      if (rc != 0) {
        throw new IllegalStateException("javac failed: " + rc);
      }
      Manifest manifest = new Manifest();
      manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
      manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS,
          "io.updraft.examples.hello.HelloServer");
      try (OutputStream out = Files.newOutputStream(jar);
          JarOutputStream jarOut = new JarOutputStream(out, manifest);
          Stream<Path> walk = Files.walk(classes)) {
        List<Path> files = walk.filter(Files::isRegularFile).sorted().toList();
        for (Path f : files) {
          jarOut.putNextEntry(new JarEntry(classes.relativize(f).toString()));
          jarOut.write(Files.readAllBytes(f));
          jarOut.closeEntry();
        }
      }
      return jar;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
