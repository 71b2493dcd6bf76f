package io.updraft.common.archive;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashSet;
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
 * outside the target directory. Refused, with an {@link UnsafeArchiveException} naming the
 * entry: absolute names, {@code ..} segments (escaping or not), entries that pass through a
 * symlink, entries that repeat or collide with another (a file where a directory or link is,
 * and the reverse), symlinks that are absolute, overlong or lead outside (checked on their real
 * path once all exist, so chains of links cannot climb out, nor can a dangling link once its
 * missing part appears), hard links, device files and fifos. The bytes actually written are
 * bounded (a header cannot lie about sizes). Symlinks are created after every file, so
 * no file is ever written through one. An archive that cannot be read at all raises the
 * subclass {@link UnreadableArchiveException}.
 *
 * <p>Modes: a zip (an app package, whose modes come from any client) keeps only the executable
 * bit; a tar.gz (a droplet, packed by {@link ArchiveWriter#tarGz} with its permission bits)
 * keeps the permission bits, so a private file stays private, always owner-readable and
 * writable; setuid, setgid and sticky bits are dropped. Blocking.
 */
public final class SafeExtractor {

  /** A symlink's target is a short path (PATH_MAX bytes); anything longer is not a real link. */
  private static final int MAX_LINK_TARGET = 4096;
  /** Links followed in one lookup before giving up, as Linux does (MAXSYMLINKS). */
  private static final int MAX_LINK_DEPTH = 40;
  private static final long MB = 1024 * 1024;

  /** Bounds for one archive. */
  public record Limits(long maxBytes, int maxEntries) {

    /** {@code maxBytes} unpacked, and more entries than any real app has. */
    public static Limits of(long maxBytes) {
      return new Limits(maxBytes, 200_000);
    }
  }

  /** What was unpacked. */
  public record Result(int files, long bytes) {
  }

  private SafeExtractor() {
  }

  public static Result unzip(Path zip, Path target, Limits limits) throws IOException {
    Unpacking unpacking = new Unpacking(target, limits);
    try (ZipFile zipFile = ZipFile.builder().setPath(zip).get()) {
      for (ZipArchiveEntry entry : Collections.list(zipFile.getEntries())) {
        String name = entry.getName();
        Path path = unpacking.entry(name);
        if (entry.isDirectory()) {
          unpacking.directory(path, name, -1);
        } else if (entry.isUnixSymlink()) {
          try (InputStream in = zipFile.getInputStream(entry)) {
            // one byte more than allowed, to tell an overlong target from one at the limit
            byte[] linkTarget = in.readNBytes(MAX_LINK_TARGET + 1);
            if (linkTarget.length > MAX_LINK_TARGET) {
              throw overlong(name);
            }
            unpacking.symlink(path, new String(linkTarget, StandardCharsets.UTF_8), name);
          }
        } else {
          try (InputStream in = zipFile.getInputStream(entry)) {
            unpacking.file(in, path, name);
          }
          if ((entry.getUnixMode() & 0100) != 0) {
            makeExecutable(path);
          }
        }
      }
    } catch (UnsafeArchiveException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw new UnreadableArchiveException("not a readable zip archive: " + e.getMessage());
    }
    unpacking.createLinks();
    return unpacking.result();
  }

  public static Result untarGz(Path tgz, Path target, Limits limits) throws IOException {
    try (InputStream in = new BufferedInputStream(Files.newInputStream(tgz))) {
      return untarGz(in, target, limits);
    }
  }

  public static Result untarGz(InputStream gzipped, Path target, Limits limits)
      throws IOException {
    Unpacking unpacking = new Unpacking(target, limits);
    try (ArchiveInputStream<TarArchiveEntry> tar = new TarArchiveInputStream(
        new GzipCompressorInputStream(gzipped))) {
      ArchiveEntry next;
      while ((next = tar.getNextEntry()) != null) {
        TarArchiveEntry entry = (TarArchiveEntry) next;
        String name = entry.getName();
        Path path = unpacking.entry(name);
        if (entry.isCharacterDevice() || entry.isBlockDevice() || entry.isFIFO()) {
          throw new UnsafeArchiveException("entry '" + name + "' is a device or special file");
        } else if (entry.isDirectory()) {
          unpacking.directory(path, name, entry.getMode() | 0700);
        } else if (entry.isSymbolicLink()) {
          unpacking.symlink(path, entry.getLinkName(), name);
        } else if (entry.isLink()) {
          // it would alias a file a later entry may rewrite; no droplet we pack has one
          throw new UnsafeArchiveException("entry '" + name
              + "' is a hard link, which is not allowed");
        } else if (entry.isFile()) {
          unpacking.file(tar, path, name);
          setMode(path, entry.getMode() | 0600);
        } else {
          throw new UnsafeArchiveException("entry '" + name + "' is a device or special file");
        }
      }
    } catch (UnsafeArchiveException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw new UnreadableArchiveException("not a readable tar.gz archive: " + e.getMessage());
    }
    unpacking.createLinks();
    return unpacking.result();
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

  private static boolean climbs(String name) {
    for (String segment : name.split("[/\\\\]")) {
      if (segment.equals("..")) {
        return true;
      }
    }
    return false;
  }

  private static UnsafeArchiveException overlong(String name) {
    return new UnsafeArchiveException("symlink '" + name + "' has an overlong target");
  }

  private static String size(long bytes) {
    return bytes >= MB && bytes % MB == 0 ? bytes / MB + " MB" : bytes + " bytes";
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

  /** The permission bits of {@code mode}; setuid, setgid and sticky are never applied. */
  private static void setMode(Path path, int mode) throws IOException {
    Set<PosixFilePermission> perms = EnumSet.noneOf(PosixFilePermission.class);
    PosixFilePermission[] bits = PosixFilePermission.values(); // OWNER_READ first: bit 8
    for (int i = 0; i < bits.length; i++) {
      if ((mode & (0400 >> i)) != 0) {
        perms.add(bits[i]);
      }
    }
    try {
      Files.setPosixFilePermissions(path, perms);
    } catch (UnsupportedOperationException e) {
      // not a POSIX filesystem: modes do not apply
    }
  }

  /**
   * Where a link target, read from {@code dir}, leads now or once its missing parts are
   * created as directories: links on the way are followed, dangling ones included (a dangling
   * link that climbs with {@code ..} can reach outside once its own target appears). Null for
   * a chain too long to follow, which the kernel refuses too (ELOOP).
   */
  private static Path eventualTarget(Path dir, Path target, int depth) throws IOException {
    if (depth > MAX_LINK_DEPTH) {
      return null;
    }
    Path path = target.isAbsolute() ? target.getRoot() : dir.toRealPath();
    for (Path name : target) {
      String segment = name.toString();
      if (segment.equals("..")) {
        // path is real until a missing part is appended, and that part would be a directory
        path = path.getParent() == null ? path : path.getParent();
      } else if (!segment.equals(".")) {
        Path next = path.resolve(name);
        if (Files.isSymbolicLink(next)) {
          path = eventualTarget(path, Files.readSymbolicLink(next), depth + 1);
          if (path == null) {
            return null;
          }
        } else {
          path = next;
        }
      }
    }
    return path.normalize();
  }

  private record PendingLink(Path link, String target, String entry) {
  }

  /** One extraction: the entries seen, what they claimed, bytes written, links to create. */
  private static final class Unpacking {
    private final Path root;
    private final Limits limits;
    private final List<PendingLink> links = new ArrayList<>();
    private final Set<Path> linkPaths = new HashSet<>();
    private int entries;
    private int files;
    private long bytes;

    Unpacking(Path target, Limits limits) throws IOException {
      Files.createDirectories(target);
      this.root = target.toRealPath();
      this.limits = limits;
    }

    /** Counts the entry and returns where it lands. */
    Path entry(String name) throws UnsafeArchiveException {
      if (++entries > limits.maxEntries()) {
        throw new UnsafeArchiveException("more than " + limits.maxEntries() + " entries");
      }
      Path path = resolveInside(root, name);
      // harmless once normalised, but nothing real needs one, and the DEA's contract refuses it
      if (climbs(name)) {
        throw new UnsafeArchiveException("entry '" + name + "' has a '..' segment");
      }
      return path;
    }

    /** {@code mode}: permission bits to apply, or -1 to leave the default. */
    void directory(Path path, String name, int mode) throws IOException {
      if (path.equals(root)) {
        return; // "./"
      }
      parents(path, name);
      if (linkPaths.contains(path) || Files.isSymbolicLink(path)) {
        throw collides(name);
      }
      if (!Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
        if (Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
          throw collides(name);
        }
        Files.createDirectory(path);
      }
      if (mode >= 0) {
        setMode(path, mode);
      }
    }

    void file(InputStream in, Path path, String name) throws IOException {
      parents(path, name);
      claim(path, name);
      byte[] buffer = new byte[64 * 1024];
      try (OutputStream out = Files.newOutputStream(path, StandardOpenOption.CREATE_NEW,
          StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
        int n;
        while ((n = in.read(buffer)) > 0) {
          count(n, name);
          out.write(buffer, 0, n);
        }
      }
      files++;
    }

    void symlink(Path path, String target, String name) throws IOException {
      parents(path, name);
      claim(path, name);
      if (target.getBytes(StandardCharsets.UTF_8).length > MAX_LINK_TARGET) {
        throw overlong(name);
      }
      if (target.isEmpty() || target.indexOf('\0') >= 0) {
        throw new UnsafeArchiveException("symlink '" + name + "' has no valid target");
      }
      // parents are real directories here, so a lexical look already catches most escapes
      if (target.startsWith("/")
          || !path.getParent().resolve(target).normalize().startsWith(root)) {
        throw new UnsafeArchiveException("symlink '" + name
            + "' points outside the target directory");
      }
      linkPaths.add(path);
      links.add(new PendingLink(path, target, name));
    }

    /**
     * Creates the symlinks, then checks where each really leads, as chains of links can climb
     * higher than their names suggest. On a refusal no link of the archive is left behind.
     */
    void createLinks() throws IOException {
      try {
        for (PendingLink link : links) {
          Files.createSymbolicLink(link.link(), Path.of(link.target()));
        }
        for (PendingLink link : links) {
          Path leads = eventualTarget(link.link().getParent(), Path.of(link.target()), 0);
          if (leads == null) {
            throw new UnsafeArchiveException("symlink '" + link.entry()
                + "' leads through too many links");
          }
          if (!leads.startsWith(root)) {
            throw new UnsafeArchiveException("symlink '" + link.entry()
                + "' points outside the target directory");
          }
        }
      } catch (IOException | RuntimeException e) {
        for (PendingLink link : links) {
          if (Files.isSymbolicLink(link.link())) {
            Files.delete(link.link());
          }
        }
        throw e;
      }
    }

    Result result() {
      return new Result(files, bytes);
    }

    /** Creates the missing parents of {@code path} one by one, never through a link. */
    private void parents(Path path, String name) throws IOException {
      if (path.equals(root)) {
        throw collides(name); // a file or link named "." would replace the target itself
      }
      List<Path> chain = new ArrayList<>();
      for (Path p = path.getParent(); !p.equals(root); p = p.getParent()) {
        chain.add(p);
      }
      Collections.reverse(chain);
      for (Path dir : chain) {
        if (linkPaths.contains(dir) || Files.isSymbolicLink(dir)) {
          throw new UnsafeArchiveException("entry '" + name + "' passes through a symlink");
        }
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
          if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw collides(name);
          }
          Files.createDirectory(dir);
        }
      }
    }

    /** Refuses a second entry for a path: a duplicate could replace what was checked. */
    private void claim(Path path, String name) throws UnsafeArchiveException {
      if (linkPaths.contains(path)
          || Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
        throw collides(name);
      }
    }

    private void count(long n, String name) throws UnsafeArchiveException {
      bytes += n;
      if (bytes > limits.maxBytes()) {
        throw new UnsafeArchiveException("unpacked size exceeds " + size(limits.maxBytes())
            + " (at entry '" + name + "')");
      }
    }

    private static UnsafeArchiveException collides(String name) {
      return new UnsafeArchiveException("entry '" + name + "' collides with another entry");
    }
  }
}
