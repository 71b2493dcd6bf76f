package io.updraft.kato.node;

import io.updraft.common.files.PrivateFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code $UPDRAFT_HOME} as kato keeps it. The home itself is 0711: the DEA's apps and the
 * filesystem service's instances are below it and apps running as other users must pass
 * through, but nobody else may list it. Everything of kato's in it is private: its files
 * ({@code node.yml}, {@code agent.token}, {@code agent.pid}, the template marks) 0600 and its
 * directories ({@code logs/}, {@code config/}, {@code cluster/}, {@code micro/}, {@code lib/})
 * 0700 with all they hold. {@code data/} is 0711: the data servers run as their own users
 * and pass through it to their directories ({@code data/postgresql} ..., 0700, each server's
 * own: left as they are); NATS's JetStream store and the password files in it are private.
 * The components' own
 * directories ({@code controller/}, {@code stager/}, {@code services/}, {@code dea/}) are made
 * private by the components themselves (the DEA's and the filesystem service's hold apps'
 * files). Blocking.
 */
public final class NodeHome {

  /** kato's directories in the home; everything in them is platform state. */
  static final List<String> KATO_DIRS = List.of("logs", "config", "cluster", "micro", "lib",
      "data");

  private NodeHome() {
  }

  /**
   * The data servers' directories in {@code data/} (and their scratch directories of a first
   * start): each server keeps the modes inside its own.
   */
  private static List<Path> serverDirs(Path data) {
    List<Path> dirs = new java.util.ArrayList<>();
    for (io.updraft.kato.dataservers.DataServer s : io.updraft.kato.dataservers.DataServer
        .values()) {
      dirs.add(data.resolve(s.serviceName()));
      dirs.add(data.resolve("." + s.serviceName() + ".init"));
    }
    return dirs;
  }

  /**
   * Creates the home (0711) when it is absent; the directories above it get the usual modes
   * (they are not kato's, and apps must pass through them too). Returns {@code home}.
   */
  public static Path create(Path home) throws IOException {
    if (!Files.isDirectory(home)) {
      PrivateFiles.createRoot(home);
      PrivateFiles.setMode(home, PrivateFiles.PASSABLE_DIR);
    }
    return home;
  }

  /**
   * Makes an existing home as it should be (what an older version left readable): the home
   * 0711, every file directly in it 0600, kato's directories private with all they hold. The
   * node agent does it at every start; cheap when nothing is wrong. Returns how many modes it
   * changed.
   */
  public static int tighten(Path home) throws IOException {
    create(home);
    int changed = PrivateFiles.setMode(home, PrivateFiles.PASSABLE_DIR) ? 1 : 0;
    try (var entries = Files.list(home)) {
      for (Path file : entries.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
          .toList()) {
        changed += PrivateFiles.restrict(file) ? 1 : 0;
      }
    }
    for (String dir : KATO_DIRS) {
      Path p = home.resolve(dir);
      if (!Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
        continue;
      }
      if ("data".equals(dir)) {
        changed += PrivateFiles.tighten(p, List.of(p), serverDirs(p));
      } else {
        changed += PrivateFiles.tighten(p);
      }
    }
    return changed;
  }
}
