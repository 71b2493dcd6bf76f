package io.updraft.dea.process;

import io.updraft.dea.DeaConfig;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One unprivileged uid per instance when the DEA runs as root: the instance directory is
 * owned by that uid with mode {@code 0700} ({@code apps/} is {@code 0711}: passable, not
 * listable), and the process drops to it through {@code setpriv} before the script runs. Uids
 * come from a configured range and need no passwd entry. Blocking.
 */
public final class UserIsolation {

  private static final Logger log = LoggerFactory.getLogger(UserIsolation.class);
  private static final Path SETPRIV = Path.of("/usr/bin/setpriv");

  private final int uidBase;
  private final int uidCount;

  public UserIsolation(int uidBase, int uidCount) {
    this.uidBase = uidBase;
    this.uidCount = uidCount;
  }

  /**
   * Isolation for this DEA, or empty when it is off or (in {@code auto}) not possible here.
   *
   * @throws IllegalStateException in {@code on} mode when it is not possible, with the reason
   */
  public static Optional<UserIsolation> detect(DeaConfig.Isolation config, Path appsDir)
      throws IOException {
    if (config.users() == DeaConfig.Isolation.Users.OFF) {
      return Optional.empty();
    }
    String problem = problem(appsDir);
    if (problem != null) {
      if (config.users() == DeaConfig.Isolation.Users.ON) {
        throw new IllegalStateException("isolation.users is on but " + problem);
      }
      log.atInfo().setMessage("dea.isolation.off").addKeyValue("reason", problem).log();
      return Optional.empty();
    }
    Files.setPosixFilePermissions(appsDir, PosixFilePermissions.fromString("rwx--x--x"));
    log.atInfo().setMessage("dea.isolation.on").addKeyValue("uid_base", config.uidBase())
        .addKeyValue("uid_count", config.uidCount()).log();
    return Optional.of(new UserIsolation(config.uidBase(), config.uidCount()));
  }

  private static String problem(Path appsDir) throws IOException {
    Object uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    if (!Integer.valueOf(0).equals(uid)) {
      return "the DEA does not run as root";
    }
    if (!Files.isExecutable(SETPRIV)) {
      return SETPRIV + " is missing";
    }
    for (Path p = appsDir.getParent(); p != null; p = p.getParent()) {
      Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p);
      if (!perms.contains(PosixFilePermission.OTHERS_EXECUTE)) {
        return p + " is not reachable by other users (needs o+x)";
      }
    }
    return null;
  }

  /** The first uid of the range not in {@code taken}. */
  public int allocate(Set<Integer> taken) {
    for (int uid = uidBase; uid < uidBase + uidCount; uid++) {
      if (!taken.contains(uid)) {
        return uid;
      }
    }
    throw new IllegalStateException("all " + uidCount + " instance uids are in use");
  }

  /** What goes before the script on the command line to run it as {@code uid}. */
  public static List<String> commandPrefix(int uid) {
    return List.of(SETPRIV.toString(), "--reuid=" + uid, "--regid=" + uid, "--clear-groups",
        "--");
  }

  /** Gives the instance directory to {@code uid}, mode 0700; log files are made first. */
  public static void own(Path dir, int uid) throws IOException {
    for (String log : List.of("stdout.log", "stderr.log")) {
      Path f = dir.resolve("logs").resolve(log);
      if (!Files.exists(f, LinkOption.NOFOLLOW_LINKS)) {
        Files.createFile(f);
      }
    }
    Files.walkFileTree(dir, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs)
          throws IOException {
        chown(d, uid);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        chown(file, uid);
        return FileVisitResult.CONTINUE;
      }
    });
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
  }

  private static void chown(Path p, int uid) throws IOException {
    Files.setAttribute(p, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
    Files.setAttribute(p, "unix:gid", uid, LinkOption.NOFOLLOW_LINKS);
  }
}
