package io.updraft.dea.droplet;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * Unpacks a droplet tarball ({@code .tar.gz}) into a directory, refusing anything that could
 * land outside it: absolute names, {@code ..} segments, symlinks whose target leaves the
 * directory (or is absolute), entries written through a symlink, hard links and special
 * files. Modes are kept (without setuid/setgid/sticky, always owner-readable). The first bad
 * entry fails the whole extraction with an {@link ExtractionException} naming it. Blocking.
 */
public final class SafeExtractor {

  private final long maxBytes;

  /** {@code maxBytes}: the most the unpacked files may add up to. */
  public SafeExtractor(long maxBytes) {
    this.maxBytes = maxBytes;
  }

  public void extract(Path tarGz, Path target) throws IOException {
    Files.createDirectories(target);
    Path root = target.toRealPath();
    long total = 0;
    try (InputStream in = Files.newInputStream(tarGz);
        TarArchiveInputStream tar = new TarArchiveInputStream(
            new GzipCompressorInputStream(new BufferedInputStream(in)))) {
      TarArchiveEntry entry;
      while ((entry = tar.getNextEntry()) != null) {
        Path dest = confine(root, entry.getName());
        if (dest.equals(root)) {
          continue; // "./" itself
        }
        refuseSymlinkParents(root, dest, entry.getName());
        if (entry.isDirectory()) {
          Files.createDirectories(dest);
          applyMode(dest, entry.getMode() | 0700);
        } else if (entry.isSymbolicLink()) {
          checkLinkTarget(root, dest, entry.getName(), entry.getLinkName());
          Files.createDirectories(dest.getParent());
          Files.deleteIfExists(dest);
          Files.createSymbolicLink(dest, Path.of(entry.getLinkName()));
        } else if (entry.isLink()) {
          throw new ExtractionException("entry " + entry.getName() + ": hard links are not allowed");
        } else if (entry.isFile()) {
          Files.createDirectories(dest.getParent());
          if (Files.isSymbolicLink(dest)) {
            throw new ExtractionException("entry " + entry.getName()
                + " would overwrite a symlink");
          }
          try (OutputStream out = Files.newOutputStream(dest, StandardOpenOption.CREATE,
              StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            byte[] buf = new byte[64 * 1024];
            int n;
            while ((n = tar.read(buf)) > 0) {
              total += n;
              if (total > maxBytes) {
                throw new ExtractionException("droplet unpacks to more than "
                    + (maxBytes / (1024 * 1024)) + " MB");
              }
              out.write(buf, 0, n);
            }
          }
          applyMode(dest, entry.getMode() | 0600);
        } else {
          throw new ExtractionException("entry " + entry.getName()
              + ": special files (devices, fifos) are not allowed");
        }
      }
    } catch (ExtractionException e) {
      throw e;
    } catch (IOException e) {
      throw new ExtractionException("droplet is not a readable tar.gz: " + e.getMessage());
    }
  }

  /** The entry's destination, or an exception when its name could leave {@code root}. */
  static Path confine(Path root, String name) throws ExtractionException {
    if (name == null || name.isEmpty()) {
      throw new ExtractionException("entry with an empty name");
    }
    if (name.startsWith("/") || name.startsWith("\\") || name.matches("^[A-Za-z]:.*")) {
      throw new ExtractionException("entry " + name + " has an absolute path");
    }
    for (String segment : name.split("[/\\\\]")) {
      if (segment.equals("..")) {
        throw new ExtractionException("entry " + name + " escapes the target directory (..)");
      }
    }
    if (name.indexOf('\0') >= 0) {
      throw new ExtractionException("entry name contains a NUL character");
    }
    Path dest = root.resolve(name).normalize();
    if (!dest.startsWith(root)) {
      throw new ExtractionException("entry " + name + " escapes the target directory");
    }
    return dest;
  }

  /** A symlink may point only inside {@code root}, by a relative path. */
  static void checkLinkTarget(Path root, Path dest, String name, String linkName)
      throws ExtractionException {
    if (linkName == null || linkName.isEmpty()) {
      throw new ExtractionException("symlink " + name + " has no target");
    }
    if (linkName.startsWith("/")) {
      throw new ExtractionException("symlink " + name + " -> " + linkName
          + " points to an absolute path");
    }
    Path resolved = dest.getParent().resolve(linkName).normalize();
    if (!resolved.startsWith(root)) {
      throw new ExtractionException("symlink " + name + " -> " + linkName
          + " escapes the target directory");
    }
  }

  /** Writing through an existing symlink could leave the tree even with lexically safe names. */
  private static void refuseSymlinkParents(Path root, Path dest, String name)
      throws ExtractionException {
    for (Path p = dest.getParent(); p != null && !p.equals(root); p = p.getParent()) {
      if (Files.isSymbolicLink(p)) {
        throw new ExtractionException("entry " + name + " passes through a symlink");
      }
    }
  }

  private static void applyMode(Path path, int mode) throws IOException {
    if (Files.isSymbolicLink(path)) {
      return;
    }
    Set<PosixFilePermission> perms = EnumSet.noneOf(PosixFilePermission.class);
    PosixFilePermission[] bits = {
        PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE,
        PosixFilePermission.OTHERS_READ, PosixFilePermission.GROUP_EXECUTE,
        PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
        PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE,
        PosixFilePermission.OWNER_READ};
    for (int i = 0; i < bits.length; i++) {
      if ((mode & (1 << i)) != 0) {
        perms.add(bits[i]);
      }
    }
    try {
      Files.setPosixFilePermissions(path, perms);
    } catch (UnsupportedOperationException e) {
      // not POSIX: modes do not apply
    }
  }
}
