package io.updraft.stager.isolation;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

/**
 * Hands a tree to a build step's uid and takes it back. Links are never followed (each is
 * changed itself, {@code lchown}); only call it while no process of the step runs, so nothing
 * swaps a directory for a link under the walk. Blocking.
 */
final class Ownership {

  private Ownership() {
  }

  /** The uid and gid this process runs as (the stager's user: root for containers). */
  static int[] self() throws IOException {
    Path self = Path.of("/proc/self");
    return new int[] {(Integer) Files.getAttribute(self, "unix:uid"),
        (Integer) Files.getAttribute(self, "unix:gid")};
  }

  /** Makes {@code uid}:{@code gid} the owner of {@code root} and everything below it. */
  static void chown(Path root, int uid, int gid) throws IOException {
    walk(root, uid, gid, null, false);
  }

  /**
   * As {@link #chown}, but files with more than one name stay as they are: they are hard links
   * to files that are not the step's to change (changing the owner of one name changes the
   * file).
   */
  static void chownExceptLinkedFiles(Path root, int uid, int gid) throws IOException {
    walk(root, uid, gid, null, true);
  }

  /**
   * As {@link #chown}, and lists the links below {@code root} that point outside it (absolute,
   * or climbing out with {@code ..}): the stager reads the tree after a build, and a link
   * made inside a container would name the stager's host's files. Fifos and sockets are
   * removed (a droplet skips them anyway, and opening a fifo named {@code package.json} would
   * hang the stager).
   *
   * @return each such link as {@code path -> target}, relative to {@code root}
   */
  static List<String> chownAndFindEscapingLinks(Path root, int uid, int gid)
      throws IOException {
    List<String> escaping = new ArrayList<>();
    walk(root, uid, gid, escaping, false);
    return escaping;
  }

  private static void walk(Path root, int uid, int gid, List<String> escaping,
      boolean skipLinked) throws IOException {
    if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    Path top = root.toAbsolutePath().normalize();
    Files.walkFileTree(top, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs)
          throws IOException {
        own(dir, uid, gid);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        if (escaping != null && attrs.isOther()) {
          Files.deleteIfExists(file);
          return FileVisitResult.CONTINUE;
        }
        if (skipLinked && attrs.isRegularFile()
            && (Integer) Files.getAttribute(file, "unix:nlink", LinkOption.NOFOLLOW_LINKS) > 1) {
          return FileVisitResult.CONTINUE;
        }
        own(file, uid, gid);
        if (escaping != null && attrs.isSymbolicLink()) {
          Path target = Files.readSymbolicLink(file);
          if (target.isAbsolute()
              || !file.getParent().resolve(target).normalize().startsWith(top)) {
            escaping.add(top.relativize(file) + " -> " + target);
          }
        }
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
        if (e instanceof NoSuchFileException) {
          return FileVisitResult.CONTINUE;
        }
        throw e;
      }
    });
  }

  private static void own(Path p, int uid, int gid) throws IOException {
    try {
      Files.setAttribute(p, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
      Files.setAttribute(p, "unix:gid", gid, LinkOption.NOFOLLOW_LINKS);
    } catch (NoSuchFileException e) {
      // removed meanwhile (not by the step: none runs): nothing to own
    }
  }
}
