package io.updraft.stager.testing;

import static org.awaitility.Awaitility.await;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/** Reads droplets the way a DEA does: unpack, run {@code ./startup -p PORT}, reach it. */
public final class Droplets {

  private Droplets() {
  }

  /** Entry names of a droplet, in order. */
  public static List<String> entries(byte[] tgz) throws IOException {
    List<String> names = new ArrayList<>();
    try (TarArchiveInputStream tar = new TarArchiveInputStream(
        new GzipCompressorInputStream(new ByteArrayInputStream(tgz)))) {
      TarArchiveEntry e;
      while ((e = tar.getNextEntry()) != null) {
        names.add(e.getName());
      }
    }
    return names;
  }

  /** Unpacks with modes and symlinks (trusted input: the test's own droplets). */
  public static Path unpack(byte[] tgz, Path dir) throws IOException {
    Files.createDirectories(dir);
    try (TarArchiveInputStream tar = new TarArchiveInputStream(
        new GzipCompressorInputStream(new ByteArrayInputStream(tgz)))) {
      TarArchiveEntry e;
      while ((e = tar.getNextEntry()) != null) {
        Path dest = dir.resolve(e.getName()).normalize();
        if (!dest.startsWith(dir)) {
          throw new IOException("escaping entry " + e.getName());
        }
        if (e.isDirectory()) {
          Files.createDirectories(dest);
        } else if (e.isSymbolicLink()) {
          Files.createDirectories(dest.getParent());
          Files.createSymbolicLink(dest, Path.of(e.getLinkName()));
        } else {
          Files.createDirectories(dest.getParent());
          try (OutputStream out = Files.newOutputStream(dest)) {
            tar.transferTo(out);
          }
          Files.setPosixFilePermissions(dest, permissions(e.getMode()));
        }
      }
    }
    return dir;
  }

  public static Set<PosixFilePermission> permissions(int mode) {
    Set<PosixFilePermission> perms = EnumSet.noneOf(PosixFilePermission.class);
    PosixFilePermission[] bits = PosixFilePermission.values(); // OWNER_READ … OTHERS_EXECUTE
    for (int i = 0; i < 9; i++) {
      if ((mode & (0400 >> i)) != 0) {
        perms.add(bits[i]);
      }
    }
    return perms;
  }

  /** A running instance of a droplet; {@link #close()} kills it and its children. */
  public record Instance(Process process, int port) implements AutoCloseable {
    @Override
    public void close() {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
    }
  }

  /** Starts {@code ./startup -p PORT} as the DEA does, with the environment it gives. */
  public static Instance start(Path dir, int port, String appName, int index) throws IOException {
    ProcessBuilder pb = new ProcessBuilder("./startup", "-p", String.valueOf(port))
        .directory(dir.toFile())
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("startup.out").toFile());
    pb.environment().clear();
    pb.environment().putAll(Map.of(
        "PATH", System.getenv("PATH"),
        "HOME", dir.toString(),
        "LANG", "C.UTF-8",
        "PORT", String.valueOf(port),
        "VCAP_APP_PORT", String.valueOf(port),
        "VCAP_APP_HOST", "127.0.0.1",
        "MEMORY_LIMIT", "256m",
        "VCAP_APPLICATION", "{\"name\":\"" + appName + "\",\"instance_index\":" + index + "}"));
    return new Instance(pb.start(), port);
  }

  /** The first 200 answer of {@code http://127.0.0.1:port/}, waiting for the app to listen. */
  public static String get(Instance instance, Duration within) {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    HttpRequest request = HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + instance.port() + "/"))
        .timeout(Duration.ofSeconds(5)).build();
    String[] body = new String[1];
    await().atMost(within).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
        .failFast("the app exited", () -> !instance.process().isAlive())
        .until(() -> {
          HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
          body[0] = r.body();
          return r.statusCode() == 200;
        });
    return body[0];
  }
}
