package io.updraft.dea.isolation;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * A filesystem service's directory made writable by every instance bound to it, and by no
 * other: its group is a gid of its own (derived from the path, so every DEA that mounts the
 * same share picks the same one), mode {@code 2770} (new files keep the group), and each
 * bound container gets that gid as a supplementary group. Blocking.
 */
final class FilesystemShare {

  /** Gids for shares: a range above every instance uid. */
  private static final int GID_RANGE = 1_000_000;

  private FilesystemShare() {
  }

  /** Gives {@code dir} its share group and mode; returns the gid. */
  static int share(Path dir, int gidBase) throws IOException {
    int gid = gidBase + Math.floorMod(dir.toString().hashCode(), GID_RANGE);
    Files.setAttribute(dir, "unix:gid", gid, LinkOption.NOFOLLOW_LINKS);
    // with the setgid bit, which java.nio cannot set
    Process p = new ProcessBuilder("chmod", "2770", dir.toString()).redirectErrorStream(true)
        .start();
    try {
      p.getInputStream().readAllBytes();
      if (p.waitFor() != 0) {
        throw new IOException("chmod 2770 " + dir + " failed");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
    return gid;
  }
}
