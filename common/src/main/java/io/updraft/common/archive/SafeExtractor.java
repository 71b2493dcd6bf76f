package io.updraft.common.archive;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.apache.commons.compress.archivers.ArchiveEntry;
import org.apache.commons.compress.archivers.ArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * Unpacks untrusted zip and tar.gz archives (app packages, droplets) so that nothing lands
 * outside the target directory: absolute names, {@code ..} escapes and symlinks that point
 * outside are refused with an {@link UnsafeArchiveException} naming the entry, and the bytes
 * actually written are bounded (a header cannot lie about sizes). Symlinks are created after
 * every file, so no file is ever written through one. Executable bits are kept. Blocking.
 */
public final class SafeExtractor {

  /** Bounds for one archive. */
  public record Limits(long maxBytes, int maxEntries) {

    public static Limits of(long maxBytes) {
      return new Limits(maxBytes, 200_000);
    }
  }

  /** What was unpacked. */
  public record Result(int files, long bytes) {
  }

  private record PendingLink(Path link, String target, String entry) {
  }

  private SafeExtractor() {
  }

  public static Result unzip(Path zip, Path target, Limits limits) throws IOException {
    Files.createDirectories(target);
    Path root = target.toRealPath();
    Counter counter = new Counter(limits);
    List<PendingLink> links = new ArrayList<>();
    try (ZipFile zipFile = ZipFile.builder().setPath(zip).get()) {
      for (ZipArchiveEntry entry : java.util.Collections.list(zipFile.getEntries())) {
        counter.entry(entry.getName());
        Path path = resolveInside(root, entry.getName());
        if (entry.isDirectory()) {
          Files.createDirectories(path);
        } else if (entry.isUnixSymlink()) {
          try (InputStream in = zipFile.getInputStream(entry)) {
            links.add(new PendingLink(path, new String(in.readNBytes(4096),
                StandardCharsets.UTF_8), entry.getName()));
          }
        } else {
          try (InputStream in = zipFile.getInputStream(entry)) {
            write(in, path, counter, entry.getName());
          }
          if ((entry.getUnixMode() & 0100) != 0) {
            makeExecutable(path);
          }
        }
      }
    } catch (UnsafeArchiveException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw new UnsafeArchiveException("not a readable zip archive: " + e.getMessage());
    }
    createLinks(root, links);
    return counter.result();
  }

  public static Result untarGz(Path tgz, Path target, Limits limits) throws IOException {
    try (InputStream in = new BufferedInputStream(Files.newInputStream(tgz))) {
      return untarGz(in, target, limits);
    }
  }

  public static Result untarGz(InputStream gzipped, Path target, Limits limits)
      throws IOException {
    Files.createDirectories(target);
    Path root = target.toRealPath();
    Counter counter = new Counter(limits);
    List<PendingLink> links = new ArrayList<>();
    try (ArchiveInputStream<TarArchiveEntry> tar = new TarArchiveInputStream(
        new GzipCompressorInputStream(gzipped))) {
      ArchiveEntry next;
      while ((next = tar.getNextEntry()) != null) {
        TarArchiveEntry entry = (TarArchiveEntry) next;
        counter.entry(entry.getName());
        Path path = resolveInside(root, entry.getName());
        if (entry.isDirectory()) {
          Files.createDirectories(path);
        } else if (entry.isSymbolicLink()) {
          links.add(new PendingLink(path, entry.getLinkName(), entry.getName()));
        } else if (entry.isLink()) {
          // a hard link would alias a file we may later overwrite: copy its target instead
          Path source = resolveInside(root, entry.getLinkName());
          if (!Files.isRegularFile(source, LinkOption.NOFOLLOW_LINKS)) {
            throw new UnsafeArchiveException("entry '" + entry.getName()
                + "' links to a file that is not in the archive");
          }
          Files.createDirectories(path.getParent());
          Files.copy(source, path);
        } else if (entry.isFile()) {
          write(tar, path, counter, entry.getName());
          if ((entry.getMode() & 0100) != 0) {
            makeExecutable(path);
          }
        } else {
          throw new UnsafeArchiveException("entry '" + entry.getName()
              + "' is a device or special file");
        }
      }
    } catch (UnsafeArchiveException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw new UnsafeArchiveException("not a readable tar.gz archive: " + e.getMessage());
    }
    createLinks(root, links);
    return counter.result();
  }

  /**
   * The path an archive entry names under {@code root}, or an exception when it would land
   * outside (absolute names, {@code ..} escapes, NUL bytes).
   */
  public static Path resolveInside(Path root, String name) throws UnsafeArchiveException {
    if (name == null || name.isEmpty() || name.indexOf('\0') >= 0) {
      throw new UnsafeArchiveException("entry with an empty or invalid name");
    }
    String relative = name.replace('\\', '/');
    if (relative.startsWith("/") || relative.matches("^[A-Za-z]:.*")) {
      throw new UnsafeArchiveException("entry '" + name + "' has an absolute path");
    }
    Path path = root.resolve(relative).normalize();
    if (!path.startsWith(root) || path.equals(root) && !relative.matches("^[./]*$")) {
      throw new UnsafeArchiveException("entry '" + name
          + "' would land outside the target directory");
    }
    return path;
  }

  private static void write(InputStream in, Path path, Counter counter, String name)
      throws IOException {
    Files.createDirectories(path.getParent());
    if (Files.isSymbolicLink(path) || Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
      throw new UnsafeArchiveException("entry '" + name + "' collides with another entry");
    }
    byte[] buffer = new byte[64 * 1024];
    try (OutputStream out = Files.newOutputStream(path)) {
      int n;
      while ((n = in.read(buffer)) > 0) {
        counter.bytes(n, name);
        out.write(buffer, 0, n);
      }
    }
    counter.file();
  }

  private static void makeExecutable(Path path) throws IOException {
    try {
      Set<PosixFilePermission> perms = EnumSet.copyOf(Files.getPosixFilePermissions(path));
      perms.add(PosixFilePermission.OWNER_EXECUTE);
      perms.add(PosixFilePermission.GROUP_EXECUTE);
      perms.add(PosixFilePermission.OTHERS_EXECUTE);
      Files.setPosixFilePermissions(path, perms);
    } catch (UnsupportedOperationException e) {
      // not a POSIX filesystem: nothing to keep
    }
  }

  /** Creates symlinks last and keeps only those whose real target stays inside {@code root}. */
  private static void createLinks(Path root, List<PendingLink> links) throws IOException {
    for (PendingLink link : links) {
      if (link.target().isEmpty() || link.target().startsWith("/")) {
        throw new UnsafeArchiveException("symlink '" + link.entry()
            + "' points outside the target directory");
      }
      Path parent = link.link().getParent();
      Files.createDirectories(parent);
      Path lexical = parent.toRealPath().resolve(link.target()).normalize();
      if (!lexical.startsWith(root)) {
        throw new UnsafeArchiveException("symlink '" + link.entry()
            + "' points outside the target directory");
      }
      Files.createSymbolicLink(link.link(), Path.of(link.target()));
    }
    for (PendingLink link : links) {
      // chains of links can climb higher than their names suggest: check where they really go
      Path real;
      try {
        real = link.link().toRealPath();
      } catch (IOException dangling) {
        continue;
      }
      if (!real.startsWith(root)) {
        Files.deleteIfExists(link.link());
        throw new UnsafeArchiveException("symlink '" + link.entry()
            + "' points outside the target directory");
      }
    }
  }

  /** Counts entries and bytes as they are written, failing past the limits. */
  private static final class Counter {
    private final Limits limits;
    private int entries;
    private int files;
    private long bytes;

    Counter(Limits limits) {
      this.limits = limits;
    }

    void entry(String name) throws UnsafeArchiveException {
      if (++entries > limits.maxEntries()) {
        throw new UnsafeArchiveException("more than " + limits.maxEntries() + " entries");
      }
    }

    void bytes(int n, String name) throws UnsafeArchiveException {
      bytes += n;
      if (bytes > limits.maxBytes()) {
        throw new UnsafeArchiveException("unpacked size exceeds " + limits.maxBytes()
            + " bytes (at entry '" + name + "')");
      }
    }

    void file() {
      files++;
    }

    Result result() {
      return new Result(files, bytes);
    }
  }
}
