package io.updraft.stager.archive;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;

/**
 * Packs a staged directory into a droplet: a gzip tarball whose entries are named relative to
 * the directory ({@code startup}, {@code app/…}), in sorted order, with the files' permission
 * bits. Symlinks are stored as links (never followed); the unpacker already refused any that
 * leave the tree. Only regular files, directories and symlinks exist in a staged tree; anything
 * else (a fifo left by a build) is skipped. Blocking.
 */
public final class DropletArchive {

  private DropletArchive() {
  }

  public static void pack(Path dir, Path tarGz) throws IOException {
    try (OutputStream file = new BufferedOutputStream(Files.newOutputStream(tarGz));
        GzipCompressorOutputStream gz = new GzipCompressorOutputStream(file);
        TarArchiveOutputStream tar = new TarArchiveOutputStream(gz)) {
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
      addChildren(tar, dir, "");
      tar.finish();
    }
  }

  private static void addChildren(TarArchiveOutputStream tar, Path dir, String prefix)
      throws IOException {
    List<Path> children;
    try (Stream<Path> list = Files.list(dir)) {
      children = list.sorted().toList();
    }
    for (Path child : children) {
      String name = prefix + child.getFileName();
      PosixFileAttributes attrs = Files.readAttributes(child, PosixFileAttributes.class,
          LinkOption.NOFOLLOW_LINKS);
      if (attrs.isSymbolicLink()) {
        TarArchiveEntry entry = new TarArchiveEntry(name, TarConstants.LF_SYMLINK);
        entry.setLinkName(Files.readSymbolicLink(child).toString());
        entry.setModTime(attrs.lastModifiedTime());
        tar.putArchiveEntry(entry);
        tar.closeArchiveEntry();
      } else if (attrs.isDirectory()) {
        TarArchiveEntry entry = new TarArchiveEntry(name + "/");
        entry.setMode(TarArchiveEntry.DEFAULT_DIR_MODE & ~0777 | mode(attrs.permissions()));
        entry.setModTime(attrs.lastModifiedTime());
        tar.putArchiveEntry(entry);
        tar.closeArchiveEntry();
        addChildren(tar, child, name + "/");
      } else if (attrs.isRegularFile()) {
        TarArchiveEntry entry = new TarArchiveEntry(name);
        entry.setMode(TarArchiveEntry.DEFAULT_FILE_MODE & ~0777 | mode(attrs.permissions()));
        entry.setSize(attrs.size());
        entry.setModTime(attrs.lastModifiedTime());
        tar.putArchiveEntry(entry);
        try (InputStream in = Files.newInputStream(child)) {
          in.transferTo(tar);
        }
        tar.closeArchiveEntry();
      }
    }
  }

  /** Permission bits as an octal mode. */
  static int mode(Set<PosixFilePermission> perms) {
    int mode = 0;
    for (PosixFilePermission p : perms) {
      mode |= switch (p) {
        case OWNER_READ -> 0400;
        case OWNER_WRITE -> 0200;
        case OWNER_EXECUTE -> 0100;
        case GROUP_READ -> 040;
        case GROUP_WRITE -> 020;
        case GROUP_EXECUTE -> 010;
        case OTHERS_READ -> 04;
        case OTHERS_WRITE -> 02;
        case OTHERS_EXECUTE -> 01;
      };
    }
    return mode;
  }
}
