package io.updraft.stager.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;

/** Builds app packages (zips) for tests: from a directory, or entry by entry (hostile ones too). */
public final class Zips {

  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final ZipArchiveOutputStream zip = new ZipArchiveOutputStream(bytes);

  public static Zips builder() {
    return new Zips();
  }

  public Zips file(String name, String content) {
    return file(name, content.getBytes(StandardCharsets.UTF_8), 0644);
  }

  public Zips file(String name, byte[] content, int mode) {
    try {
      ZipArchiveEntry entry = new ZipArchiveEntry(name);
      entry.setUnixMode(0100000 | mode);
      zip.putArchiveEntry(entry);
      zip.write(content);
      zip.closeArchiveEntry();
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public Zips dir(String name) {
    try {
      ZipArchiveEntry entry = new ZipArchiveEntry(name.endsWith("/") ? name : name + "/");
      entry.setUnixMode(040755);
      zip.putArchiveEntry(entry);
      zip.closeArchiveEntry();
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public Zips symlink(String name, String target) {
    try {
      ZipArchiveEntry entry = new ZipArchiveEntry(name);
      entry.setUnixMode(0120777);
      zip.putArchiveEntry(entry);
      zip.write(target.getBytes(StandardCharsets.UTF_8));
      zip.closeArchiveEntry();
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public byte[] bytes() {
    try {
      zip.close();
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public Path write(Path file) {
    try {
      Files.write(file, bytes());
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Zips a directory's files (dot-files too) with their execute bits, as a client would. */
  public static byte[] of(Path dir) {
    Zips z = builder();
    try (Stream<Path> walk = Files.walk(dir)) {
      List<Path> files = walk.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
          .sorted().toList();
      for (Path p : files) {
        String name = dir.relativize(p).toString();
        if (name.startsWith("target/") || name.startsWith("node_modules/")) {
          continue;
        }
        z.file(name, Files.readAllBytes(p), Files.isExecutable(p) ? 0755 : 0644);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return z.bytes();
  }
}
