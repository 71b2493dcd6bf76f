package io.updraft.client.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;

/**
 * An app directory as the cloud sees it: every file with its sha1 and size (for resource
 * matching), and a zip of the files the cloud does not have yet. Version-control directories
 * and the client's own files are left out.
 */
public final class AppArchive {

  /** One file of the app, path relative to the app directory with '/' separators. */
  public record Entry(String fn, String sha1, long size, boolean executable) {
  }

  private static final Set<String> SKIPPED_DIRS = Set.of(".git", ".svn", ".hg", ".updraft");

  private final Path root;
  private final List<Entry> entries;

  private AppArchive(Path root, List<Entry> entries) {
    this.root = root;
    this.entries = entries;
  }

  public static AppArchive scan(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new CloudException(0, -1, "not a directory: " + dir);
    }
    Path root = dir.toRealPath();
    List<Entry> entries = new ArrayList<>();
    Files.walkFileTree(root, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
        return !d.equals(root) && SKIPPED_DIRS.contains(d.getFileName().toString())
            ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        if (attrs.isRegularFile()) {
          entries.add(new Entry(root.relativize(file).toString().replace('\\', '/'), sha1(file),
              attrs.size(), executable(file)));
        }
        return FileVisitResult.CONTINUE;
      }
    });
    entries.sort((a, b) -> a.fn().compareTo(b.fn()));
    return new AppArchive(root, entries);
  }

  public List<Entry> entries() {
    return entries;
  }

  public long totalBytes() {
    return entries.stream().mapToLong(Entry::size).sum();
  }

  /**
   * Writes a zip of {@code files} (a subset of the entries) to {@code out}, keeping executable
   * bits (a Procfile's {@code ./run.sh} must stay runnable).
   */
  public void zip(List<Entry> files, OutputStream out) throws IOException {
    try (ZipArchiveOutputStream zip = new ZipArchiveOutputStream(out)) {
      for (Entry e : files) {
        ZipArchiveEntry entry = new ZipArchiveEntry(e.fn());
        entry.setUnixMode(e.executable() ? 0100755 : 0100644);
        zip.putArchiveEntry(entry);
        try (InputStream in = Files.newInputStream(root.resolve(e.fn()))) {
          in.transferTo(zip);
        }
        zip.closeArchiveEntry();
      }
    }
  }

  static String sha1(Path file) throws IOException {
    try (DigestInputStream in = new DigestInputStream(Files.newInputStream(file),
        MessageDigest.getInstance("SHA-1"))) {
      in.transferTo(OutputStream.nullOutputStream());
      return HexFormat.of().formatHex(in.getMessageDigest().digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static boolean executable(Path file) {
    try {
      return Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS)
          .contains(PosixFilePermission.OWNER_EXECUTE);
    } catch (IOException | UnsupportedOperationException e) {
      return false;
    }
  }
}
