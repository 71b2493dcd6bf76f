package io.updraft.stager.archive;

import io.updraft.stager.task.StagingException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;

/**
 * Unpacks an app package (zip) into an empty directory, refusing anything that could write
 * outside it: absolute names, {@code ..} segments, entries written through a symlink, and
 * symlinks that are absolute or resolve outside the directory. The unpacked size is counted
 * from the bytes actually written (declared sizes are not trusted) and capped. Every file is
 * kept, top-level dot-files included (unlike v1, whose copy step dropped them). Modes are
 * normalised: 0755 when the entry had an execute bit, else 0644; directories 0755. Blocking.
 */
public final class SafeUnzip {

  /** More entries than any real app has; stops a package made of millions of empty files. */
  static final int MAX_ENTRIES = 200_000;
  /** A symlink's target is a short path; anything longer is not a real link. */
  private static final int MAX_LINK_TARGET = 4096;

  private final long maxBytes;

  public SafeUnzip(long maxBytes) {
    this.maxBytes = maxBytes;
  }

  /** Unpacks {@code zipFile} into {@code target} (created when missing). */
  public void unzip(Path zipFile, Path target) throws StagingException {
    try {
      Files.createDirectories(target);
      Path root = target.toRealPath();
      List<Path> links = new ArrayList<>();
      long total = 0;
      int count = 0;
      try (ZipFile zip = ZipFile.builder().setPath(zipFile).get()) {
        for (ZipArchiveEntry entry : Collections.list(zip.getEntriesInPhysicalOrder())) {
          if (++count > MAX_ENTRIES) {
            throw new StagingException("App package has more than " + MAX_ENTRIES + " entries");
          }
          String name = entry.getName();
          Path dest = confine(root, name);
          if (dest.equals(root)) {
            continue;
          }
          makeParents(root, dest.getParent(), name);
          if (entry.isDirectory()) {
            mkdir(root, dest, name);
          } else if (entry.isUnixSymlink()) {
            String linkTarget = readLinkTarget(zip, entry);
            checkLinkTarget(root, dest, name, linkTarget);
            try {
              Files.createSymbolicLink(dest, Path.of(linkTarget));
            } catch (FileAlreadyExistsException e) {
              throw new StagingException("Invalid app package: duplicate entry " + name);
            }
            links.add(dest);
          } else {
            total = writeFile(zip, entry, dest, total);
            boolean executable = (entry.getUnixMode() & 0111) != 0;
            Files.setPosixFilePermissions(dest,
                PosixFilePermissions.fromString(executable ? "rwxr-xr-x" : "rw-r--r--"));
          }
        }
      }
      for (Path link : links) {
        checkResolvedLink(root, link);
      }
    } catch (StagingException e) {
      throw e;
    } catch (IOException e) {
      throw new StagingException("Failed unpacking app: not a readable zip ("
          + e.getMessage() + ")", e);
    }
  }

  /** The entry's destination, or a refusal when its name could leave {@code root}. */
  static Path confine(Path root, String name) throws StagingException {
    if (name == null || name.isEmpty()) {
      throw new StagingException("Invalid app package: an entry has an empty name");
    }
    if (name.indexOf('\0') >= 0) {
      throw new StagingException("Invalid app package: an entry name contains NUL");
    }
    if (name.startsWith("/") || name.startsWith("\\") || name.matches("^[A-Za-z]:.*")) {
      throw new StagingException("Invalid app package: entry " + name
          + " has an absolute path");
    }
    for (String segment : name.split("[/\\\\]")) {
      if (segment.equals("..")) {
        throw new StagingException("Invalid app package: entry " + name
            + " escapes the app directory (..)");
      }
    }
    Path dest = root.resolve(name.replace('\\', '/')).normalize();
    if (!dest.startsWith(root)) {
      throw new StagingException("Invalid app package: entry " + name
          + " escapes the app directory");
    }
    return dest;
  }

  /** A symlink may point only inside {@code root}, by a relative path. */
  static void checkLinkTarget(Path root, Path link, String name, String target)
      throws StagingException {
    if (target.isEmpty() || target.indexOf('\0') >= 0) {
      throw new StagingException("Invalid app package: symlink " + name + " has no target");
    }
    if (target.startsWith("/")) {
      throw new StagingException("Invalid app package: symlink " + name + " -> " + target
          + " points to an absolute path");
    }
    if (!link.getParent().resolve(target).normalize().startsWith(root)) {
      throw new StagingException("Invalid app package: symlink " + name + " -> " + target
          + " escapes the app directory");
    }
  }

  /**
   * Lexical checks miss a {@code ..} applied after another link ({@code d -> .},
   * {@code e -> d/..}); once everything is unpacked, each link that resolves is resolved for
   * real. A dangling link cannot be followed, but one with {@code ..} could come to point
   * outside, so it is refused.
   */
  private static void checkResolvedLink(Path root, Path link) throws StagingException,
      IOException {
    String rel = root.relativize(link).toString();
    if (Files.exists(link)) {
      if (!link.toRealPath().startsWith(root)) {
        throw new StagingException("Invalid app package: symlink " + rel
            + " resolves outside the app directory");
      }
    } else if (Files.readSymbolicLink(link).toString().contains("..")) {
      throw new StagingException("Invalid app package: dangling symlink " + rel
          + " leaves its directory");
    }
  }

  /** Creates missing parents one by one; never passes through a symlink. */
  private static void makeParents(Path root, Path dir, String name) throws StagingException,
      IOException {
    if (dir.equals(root)) {
      return;
    }
    makeParents(root, dir.getParent(), name);
    mkdir(root, dir, name);
  }

  private static void mkdir(Path root, Path dir, String name) throws StagingException,
      IOException {
    if (Files.isSymbolicLink(dir)) {
      throw new StagingException("Invalid app package: entry " + name
          + " passes through a symlink");
    }
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
        throw new StagingException("Invalid app package: entry " + name
            + " needs a directory where there is a file");
      }
      Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(
          PosixFilePermissions.fromString("rwxr-xr-x")));
    }
  }

  private long writeFile(ZipFile zip, ZipArchiveEntry entry, Path dest, long total)
      throws StagingException, IOException {
    long written = total;
    try (InputStream in = zip.getInputStream(entry);
        OutputStream out = Files.newOutputStream(dest, StandardOpenOption.CREATE_NEW,
            StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
      byte[] buf = new byte[64 * 1024];
      int n;
      while ((n = in.read(buf)) > 0) {
        written += n;
        if (written > maxBytes) {
          throw new StagingException("App package unpacks to more than "
              + maxBytes / (1024 * 1024) + " MB");
        }
        out.write(buf, 0, n);
      }
    } catch (FileAlreadyExistsException e) {
      throw new StagingException("Invalid app package: duplicate entry " + entry.getName());
    }
    return written;
  }

  private static String readLinkTarget(ZipFile zip, ZipArchiveEntry entry)
      throws StagingException, IOException {
    if (entry.getSize() > MAX_LINK_TARGET) {
      throw new StagingException("Invalid app package: symlink " + entry.getName()
          + " has an overlong target");
    }
    return zip.getUnixSymlink(entry);
  }
}
