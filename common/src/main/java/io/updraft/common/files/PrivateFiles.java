package io.updraft.common.files;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Collection;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Platform state that only the user the platform runs as may read: directories 0700, files
 * 0600. Apps run on the same machines (and, in the micro cloud, under the same
 * {@code $UPDRAFT_HOME}), and a JVM cannot set its umask, so state is created with these modes,
 * files a library creates (H2's database, a child process's log) get them right after, and each
 * component {@linkplain #tighten tightens} the state an older version left at start.
 *
 * <p>Blocking (file I/O): call it from workers.
 */
public final class PrivateFiles {

  /** A private directory: 0700. */
  public static final Set<PosixFilePermission> DIR = Set.copyOf(
      PosixFilePermissions.fromString("rwx------"));
  /** A private file: 0600. */
  public static final Set<PosixFilePermission> FILE = Set.copyOf(
      PosixFilePermissions.fromString("rw-------"));
  /**
   * A directory on the way to something meant for apps: others may pass through it to a name
   * they were given, never list it (0711, as the DEA's {@code apps/}).
   */
  public static final Set<PosixFilePermission> PASSABLE_DIR = Set.copyOf(
      PosixFilePermissions.fromString("rwx--x--x"));

  private static final Set<PosixFilePermission> OWNER = EnumSet.of(
      PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE,
      PosixFilePermission.OWNER_EXECUTE);

  private PrivateFiles() {
  }

  /** {@link #DIR} as an attribute for {@code Files.createDirectory} and friends. */
  public static FileAttribute<Set<PosixFilePermission>> dirAttribute() {
    return PosixFilePermissions.asFileAttribute(DIR);
  }

  /** {@link #FILE} as an attribute for {@code Files.createFile} and friends. */
  public static FileAttribute<Set<PosixFilePermission>> fileAttribute() {
    return PosixFilePermissions.asFileAttribute(FILE);
  }

  /**
   * Creates {@code dir} and every missing directory above it 0700 (for directories inside a
   * component's own root; see {@link #createRoot}). Existing ones keep their modes.
   */
  public static Path createDirectories(Path dir) throws IOException {
    return Files.createDirectories(dir, dirAttribute());
  }

  /**
   * Creates a component's state root 0700. Missing directories above it get the usual modes:
   * they may be shared ({@code /var/lib/updraft} also holds the DEA's apps). An existing root
   * keeps its mode until {@link #tighten}.
   */
  public static Path createRoot(Path root) throws IOException {
    Path parent = root.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    if (!Files.isDirectory(root)) {
      try {
        Files.createDirectory(root, dirAttribute());
      } catch (java.nio.file.FileAlreadyExistsException e) {
        if (!Files.isDirectory(root)) {
          throw e;
        }
      }
    }
    return root;
  }

  /** Creates {@code file} 0600; it must not exist. */
  public static Path createFile(Path file) throws IOException {
    return Files.createFile(file, fileAttribute());
  }

  /**
   * Opens {@code file} for writing as {@link Files#newOutputStream} does (default: create,
   * truncate), a file it creates being 0600 from the start. An existing file keeps its mode.
   */
  public static OutputStream newOutputStream(Path file, OpenOption... options)
      throws IOException {
    Set<OpenOption> opts = new HashSet<>(Set.of(options));
    if (opts.isEmpty()) {
      opts.add(StandardOpenOption.CREATE);
      opts.add(StandardOpenOption.TRUNCATE_EXISTING);
    }
    opts.add(StandardOpenOption.WRITE);
    return Channels.newOutputStream(Files.newByteChannel(file, opts, fileAttribute()));
  }

  /** {@link Files#writeString} (UTF-8), creating the file 0600 when it is absent. */
  public static Path writeString(Path file, CharSequence text, OpenOption... options)
      throws IOException {
    try (OutputStream out = newOutputStream(file, options)) {
      out.write(text.toString().getBytes(StandardCharsets.UTF_8));
    }
    return file;
  }

  /**
   * Makes one existing file 0600 (its owner's execute bit kept) or directory 0700; a link, a
   * device or a pipe ({@code /dev/stdout} as a log file) is left as it is. True when its mode
   * changed.
   */
  public static boolean restrict(Path path) throws IOException {
    PosixFileAttributeView view = Files.getFileAttributeView(path, PosixFileAttributeView.class,
        LinkOption.NOFOLLOW_LINKS);
    var attrs = view.readAttributes();
    if (!attrs.isRegularFile() && !attrs.isDirectory()) {
      return false;
    }
    return setMode(path, attrs.isDirectory() ? DIR : ownerOnly(attrs.permissions()));
  }

  /** Sets {@code mode} on an existing path (a link is followed); true when it changed. */
  public static boolean setMode(Path path, Set<PosixFilePermission> mode) throws IOException {
    if (Files.getPosixFilePermissions(path).equals(mode)) {
      return false;
    }
    Files.setPosixFilePermissions(path, mode);
    return true;
  }

  /** {@link #tighten(Path, Collection, Collection)} with nothing meant for apps. */
  public static int tighten(Path root) throws IOException {
    return tighten(root, Set.of(), Set.of());
  }

  /**
   * Makes an existing tree private: {@code root} and every directory below 0700, every file its
   * owner's only (0644 becomes 0600, 0755 becomes 0700). Links below {@code root} are neither
   * followed nor changed ({@code root} itself may be one, as an operator's data dir often is).
   * For an install an older version left readable: cheap once everything is right (a stat per
   * file). Absent root: nothing to do.
   *
   * @param passable directories that become 0711 instead (on the way to something of apps')
   * @param leftAlone directories whose contents are not this component's (apps' files):
   *     their own mode is set, nothing inside them is changed
   * @return how many modes were changed
   */
  public static int tighten(Path root, Collection<Path> passable, Collection<Path> leftAlone)
      throws IOException {
    if (!Files.isDirectory(root)) {
      return 0;
    }
    Set<Path> passing = normalized(passable);
    Set<Path> skipped = normalized(leftAlone);
    int[] changed = {0};
    Files.walkFileTree(root.toRealPath(), new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs)
          throws IOException {
        Path key = dir.toAbsolutePath().normalize();
        if (setMode(dir, passing.contains(key) ? PASSABLE_DIR : DIR)) {
          changed[0]++;
        }
        return skipped.contains(key) ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        if (!attrs.isSymbolicLink()) {
          Set<PosixFilePermission> now = Files.getPosixFilePermissions(file,
              LinkOption.NOFOLLOW_LINKS);
          Set<PosixFilePermission> mode = ownerOnly(now);
          if (!now.equals(mode)) {
            Files.setPosixFilePermissions(file, mode);
            changed[0]++;
          }
        }
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
        if (e instanceof NoSuchFileException) {
          return FileVisitResult.CONTINUE; // gone meanwhile (a temp file)
        }
        throw e;
      }
    });
    return changed[0];
  }

  private static Set<PosixFilePermission> ownerOnly(Set<PosixFilePermission> permissions) {
    Set<PosixFilePermission> mode = EnumSet.noneOf(PosixFilePermission.class);
    mode.addAll(permissions);
    mode.retainAll(OWNER);
    return mode;
  }

  /** As the walk meets them: real paths of those that exist. */
  private static Set<Path> normalized(Collection<Path> paths) throws IOException {
    Set<Path> out = new LinkedHashSet<>();
    for (Path p : paths) {
      out.add(Files.exists(p) ? p.toRealPath() : p.toAbsolutePath().normalize());
    }
    return out;
  }
}
