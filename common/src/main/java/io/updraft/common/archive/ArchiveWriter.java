package io.updraft.common.archive;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;

/**
 * Packs a directory reproducibly: entries named relative to it, sorted (a directory before
 * what it holds), timestamps fixed, so the same files always give the same bytes and the same
 * SHA-1 (the blobstore deduplicates on it). Symlinks are stored as links, never followed.
 * Anything else that is not a file or directory (a fifo or socket a build left behind) is
 * skipped: it has no content, and reading a fifo would block. Blocking.
 *
 * <p>{@link #zip} (app packages) keeps only the executable bit; {@link #tarGz} (droplets)
 * keeps the permission bits, which the DEA restores, so a file the build made private stays
 * private.
 */
public final class ArchiveWriter {

  /** 1980-01-01, the earliest time a zip entry can carry. */
  private static final FileTime FIXED = FileTime.fromMillis(315_532_800_000L);

  private ArchiveWriter() {
  }

  public static void zip(Path dir, Path out) throws IOException {
    try (ZipArchiveOutputStream zip = new ZipArchiveOutputStream(
        new BufferedOutputStream(Files.newOutputStream(out)))) {
      for (Path path : entries(dir)) {
        String name = dir.relativize(path).toString().replace('\\', '/');
        if (special(path)) {
          continue;
        }
        boolean link = Files.isSymbolicLink(path);
        boolean directory = !link && Files.isDirectory(path);
        ZipArchiveEntry entry = new ZipArchiveEntry(directory ? name + "/" : name);
        entry.setLastModifiedTime(FIXED);
        if (link) {
          entry.setUnixMode(0120777);
          zip.putArchiveEntry(entry);
          zip.write(Files.readSymbolicLink(path).toString().getBytes(
              java.nio.charset.StandardCharsets.UTF_8));
        } else {
          entry.setUnixMode(directory ? 040755 : executable(path) ? 0100755 : 0100644);
          zip.putArchiveEntry(entry);
          if (!directory) {
            Files.copy(path, zip);
          }
        }
        zip.closeArchiveEntry();
      }
    }
  }

  public static void tarGz(Path dir, Path out) throws IOException {
    try (OutputStream file = new BufferedOutputStream(Files.newOutputStream(out));
        TarArchiveOutputStream tar = new TarArchiveOutputStream(
            new GzipCompressorOutputStream(file))) {
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
      for (Path path : entries(dir)) {
        String name = dir.relativize(path).toString().replace('\\', '/');
        if (special(path)) {
          continue;
        }
        TarArchiveEntry entry;
        if (Files.isSymbolicLink(path)) {
          entry = new TarArchiveEntry(name, TarArchiveEntry.LF_SYMLINK);
          entry.setLinkName(Files.readSymbolicLink(path).toString());
        } else if (Files.isDirectory(path)) {
          entry = new TarArchiveEntry(name + "/");
          entry.setMode(040000 | permissions(path, 0755));
        } else {
          entry = new TarArchiveEntry(name);
          entry.setSize(Files.size(path));
          entry.setMode(0100000 | permissions(path, executable(path) ? 0755 : 0644));
        }
        entry.setModTime(FIXED);
        tar.putArchiveEntry(entry);
        if (!entry.isSymbolicLink() && !entry.isDirectory()) {
          Files.copy(path, tar);
        }
        tar.closeArchiveEntry();
      }
    }
  }

  private static List<Path> entries(Path dir) throws IOException {
    try (Stream<Path> walk = Files.walk(dir)) {
      return walk.filter(p -> !p.equals(dir)).sorted().toList();
    }
  }

  private static boolean special(Path path) {
    return !Files.isSymbolicLink(path) && !Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)
        && !Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS);
  }

  /** The permission bits as an octal mode, or {@code fallback} off POSIX filesystems. */
  private static int permissions(Path path, int fallback) throws IOException {
    try {
      int mode = 0;
      for (PosixFilePermission p : Files.getPosixFilePermissions(path,
          LinkOption.NOFOLLOW_LINKS)) {
        mode |= 0400 >> p.ordinal(); // declared from OWNER_READ (0400) to OTHERS_EXECUTE (01)
      }
      return mode;
    } catch (UnsupportedOperationException e) {
      return fallback;
    }
  }

  private static boolean executable(Path path) throws IOException {
    try {
      return Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS)
          .contains(PosixFilePermission.OWNER_EXECUTE);
    } catch (UnsupportedOperationException e) {
      return false;
    }
  }
}
