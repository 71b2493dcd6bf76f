package io.updraft.kato.dataservers;

import io.updraft.common.component.ComponentIdentity;
import io.updraft.common.files.PrivateFiles;
import io.updraft.kato.supervisor.Launch;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The data servers of one node, run by its agent from the OS packages' binaries: PostgreSQL,
 * MariaDB and Redis, each with its data in {@code $UPDRAFT_HOME/data/<server>} (made and
 * initialised at its first start), its admin password generated then and kept in
 * {@code $UPDRAFT_HOME/data/<server>.password} (0600), listening where containers reach it
 * (every address by default, on ports beside the machine's own servers) and asking every
 * connection for a password, loopback and Unix socket included.
 *
 * <p>Under root each server runs as the user its OS package made ({@code postgres},
 * {@code mysql}, {@code redis}; PostgreSQL refuses root) through {@code setpriv}, its data
 * directory owned by that user, 0700. The home may lie below a directory that user cannot
 * pass ({@code /root/.updraft}): the server then runs in a mount namespace of its own where
 * its data directory is bind-mounted at {@code /run/updraft/mnt<data dir>} (on a tmpfs of that
 * namespace's), the only path it uses; nothing of it is seen outside. Without root the servers run as the agent's
 * user, on the data directory itself.
 *
 * <p>Blocking (files, child processes): the supervisor calls it on its own threads. Passwords
 * never reach a log or a command line.
 */
public final class DataServers {

  /** Where a server run under root sees its data directory (see the class comment). */
  static final Path MOUNT_ROOT = Path.of("/run/updraft/mnt");
  private static final Duration INIT_TIMEOUT = Duration.ofMinutes(3);
  /** sun_path is 108 bytes; longer socket paths cannot be bound. */
  private static final int MAX_SOCKET_PATH = 100;

  private final Path home;
  private final Privileges privileges;

  public DataServers(Path home) {
    this(home, Privileges.detect());
  }

  DataServers(Path home, Privileges privileges) {
    this.home = home;
    this.privileges = privileges;
  }

  /** {@code $UPDRAFT_HOME/data/<server>}: the server's own data directory. */
  public Path dataDir(DataServer s) {
    return home.resolve("data").resolve(s.serviceName());
  }

  /** {@code $UPDRAFT_HOME/data/<server>.password} (0600): its admin password. */
  public Path passwordFile(DataServer s) {
    return home.resolve("data").resolve(s.serviceName() + ".password");
  }

  /**
   * Why this node cannot run the server (its programs or its system user are missing), or
   * empty when it can.
   */
  public Optional<String> unavailable(DataServer s, DataServerSettings settings) {
    if (s.programs(settings.binDir()).isEmpty()) {
      return Optional.of(s.title() + " is not installed on this node: no " + s.programNames()
          + " in " + s.searched(settings.binDir()) + " (install the " + s.osPackage()
          + " package)");
    }
    if (privileges.root() && OsUser.lookup(s.osUser()).isEmpty()) {
      return Optional.of(s.title() + " has no system user '" + s.osUser() + "' to run as "
          + "on this node (the " + s.osPackage() + " package creates it)");
    }
    return Optional.empty();
  }

  /**
   * The admin password of the server: the one in its password file, else a new one (only
   * while its data directory does not exist yet: the password is set when it is made).
   */
  public synchronized String adminPassword(DataServer s) throws IOException {
    Path file = passwordFile(s);
    if (Files.isRegularFile(file)) {
      String stored = Files.readString(file, StandardCharsets.UTF_8).trim();
      if (!stored.isEmpty()) {
        return stored;
      }
    }
    // Redis keeps no users on disk: its password is in the config written at every start
    if (s != DataServer.REDIS && Files.isDirectory(dataDir(s))) {
      throw new IllegalStateException(dataDir(s) + " holds data, but its admin password file "
          + file + " is gone: put it back, or move the data directory away to start afresh");
    }
    dataRoot();
    String password = ComponentIdentity.secureId();
    writePrivate(file, password + "\n", null);
    return password;
  }

  /**
   * Prepares one start of the server: finds its programs, makes and initialises its data
   * directory the first time, writes its config (every start: the port may have changed), and
   * returns the command line. Initialisation output goes to {@code log}.
   */
  public Launch launch(DataServer s, DataServerSettings settings, Path log)
      throws IOException, InterruptedException {
    Optional<String> why = unavailable(s, settings);
    if (why.isPresent()) {
      throw new IllegalStateException(why.get());
    }
    DataServer.Programs programs = s.programs(settings.binDir()).orElseThrow();
    OsUser user = privileges.root() ? OsUser.lookup(s.osUser()).orElseThrow() : null;
    dataRoot();
    Path data = dataDir(s);
    Path seen = seenPath(data);
    if (user != null && !privileges.namespaces()) {
      requirePassable(data, user);
    }
    String password = adminPassword(s);
    if (!Files.isDirectory(data)) {
      initialise(s, programs, user, data, seen, password, log);
    }
    List<String> command = new ArrayList<>();
    String stopSignal = null;
    switch (s) {
      case POSTGRESQL -> {
        writePrivate(data.resolve("pg_hba.conf"), String.join("\n",
            "# written by the kato agent at each start: a password for every connection",
            "local  all  all                scram-sha-256",
            "host   all  all  0.0.0.0/0     scram-sha-256",
            "host   all  all  ::/0          scram-sha-256", ""), user);
        String socketDir = (seen + "/.s.PGSQL." + settings.port()).length() <= MAX_SOCKET_PATH
            ? seen.toString() : "";
        command.addAll(List.of(programs.server().toString(), "-D", seen.toString(),
            "-c", "listen_addresses=" + settings.bind(), "-c", "port=" + settings.port(),
            "-c", "unix_socket_directories=" + socketDir,
            "-c", "password_encryption=scram-sha-256",
            // its processes show as "postgres: updraft: ..." beside the machine's own
            "-c", "cluster_name=updraft"));
        // SIGTERM waits for every client (apps hold connections) to go; SIGINT disconnects
        // them and shuts down cleanly
        stopSignal = "INT";
      }
      case MYSQL -> {
        String socket = seen + "/mariadbd.sock";
        if (socket.length() > MAX_SOCKET_PATH) {
          socket = "/tmp/updraft-mariadbd-" + settings.port() + ".sock";
        }
        command.addAll(List.of(programs.server().toString(), "--no-defaults",
            "--datadir=" + seen, "--port=" + settings.port(),
            "--bind-address=" + settings.bind(), "--socket=" + socket,
            "--pid-file=" + seen + "/mariadbd.pid", "--skip-name-resolve",
            "--character-set-server=utf8mb4", "--collation-server=utf8mb4_general_ci"));
      }
      case REDIS -> {
        writePrivate(data.resolve("redis.conf"), String.join("\n",
            "# written by the kato agent at each start of redis",
            "bind " + settings.bind(),
            "port " + settings.port(),
            "protected-mode yes",
            "requirepass " + password,
            "dir " + seen,
            "daemonize no",
            "logfile \"\"",
            "appendonly yes",
            "appendfsync everysec",
            "save 3600 1 300 100 60 10000",
            // the process title names the config (and so this home): a later agent recognises
            // a server an agent that died left running
            "proc-title-template \"{title} {listen-addr} {config-file}\"", ""), user);
        command.addAll(List.of(programs.server().toString(), seen.resolve("redis.conf")
            .toString()));
      }
      default -> throw new IllegalStateException("unknown server " + s);
    }
    return new Launch(wrap(user, data, seen, command), Map.of("UPDRAFT_HOME", home.toString()),
        stopSignal);
  }

  /** {@code data/}: 0711, so the servers' users reach their own directories below it. */
  private Path dataRoot() throws IOException {
    Path root = PrivateFiles.createDirectories(home.resolve("data"));
    PrivateFiles.setMode(root, PrivateFiles.PASSABLE_DIR);
    return root;
  }

  /** The path the server uses for {@code data}: the mount point under root, else itself. */
  Path seenPath(Path data) {
    Path real = data.toAbsolutePath().normalize();
    return privileges.namespaces() ? Path.of(MOUNT_ROOT + real.toString()) : real;
  }

  /**
   * The command run as the server's user with a private umask; under root in a mount namespace
   * of its own, with {@code real} bind-mounted at {@code seen}. Every step execs the next, so
   * the supervised pid is the server's.
   */
  List<String> wrap(OsUser user, Path real, Path seen, List<String> command)
      throws IOException {
    List<String> out = new ArrayList<>();
    if (privileges.namespaces() && !seen.equals(real)) {
      // in the server's namespace only: a small tmpfs over the mount root holds the mount
      // point, so nothing is left on the host but the (empty) root itself
      mountRoot();
      out.addAll(List.of(privileges.unshare(), "--mount", "--propagation", "private", "--",
          "/bin/sh", "-c", "mount -t tmpfs -o mode=0755,size=64k updraft \"$3\""
              + " && umask 022 && mkdir -p \"$2\" && mount --bind \"$1\" \"$2\""
              + " && shift 3 && umask 077 && exec \"$@\"",
          "sh", real.toString(), seen.toString(), MOUNT_ROOT.toString()));
    } else {
      out.addAll(List.of("/bin/sh", "-c", "umask 077 && exec \"$@\"", "sh"));
    }
    if (user != null) {
      out.addAll(List.of(privileges.setpriv(), "--reuid=" + user.uid(), "--regid=" + user.gid(),
          "--clear-groups", "--reset-env", "--"));
    }
    out.addAll(command);
    return out;
  }

  /** {@link #MOUNT_ROOT}, 0755 whatever the umask: the servers' users pass through it. */
  private static void mountRoot() throws IOException {
    Path dir = MOUNT_ROOT.getParent().getParent(); // /run: the detection checked it is there
    for (Path part : dir.relativize(MOUNT_ROOT)) {
      dir = dir.resolve(part);
      if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
        try {
          Files.createDirectory(dir);
        } catch (java.nio.file.FileAlreadyExistsException e) {
          // made meanwhile by another agent on this machine
        }
      }
      PrivateFiles.setMode(dir, java.nio.file.attribute.PosixFilePermissions.fromString(
          "rwxr-xr-x"));
    }
  }

  /**
   * The address apps are given for the server: where it listens when that is one address,
   * else this node's address when others can reach it, else this machine's address on its
   * default route (a micro cloud's node address is loopback, which containers cannot reach).
   */
  public static String publicHost(DataServerSettings settings, String nodeIp) {
    if (!DataServerSettings.ANY.equals(settings.bind())) {
      return settings.bind();
    }
    if (nodeIp != null && !nodeIp.startsWith("127.") && !"localhost".equals(nodeIp)) {
      return nodeIp;
    }
    return defaultRouteAddress().orElseGet(
        () -> io.updraft.common.component.LocalAddress.pick(null));
  }

  /** The IPv4 address of the interface the default route goes out of ({@code /proc/net/route}). */
  static Optional<String> defaultRouteAddress() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/net/route"))) {
        String[] f = line.trim().split("\\s+");
        if (f.length > 2 && "00000000".equals(f[1])) {
          java.net.NetworkInterface nic = java.net.NetworkInterface.getByName(f[0]);
          if (nic == null || !nic.isUp()) {
            continue;
          }
          for (java.net.InetAddress a : java.util.Collections.list(nic.getInetAddresses())) {
            if (a instanceof java.net.Inet4Address && !a.isLoopbackAddress()) {
              return Optional.of(a.getHostAddress());
            }
          }
        }
      }
    } catch (IOException e) {
      // no routing table readable: the caller falls back
    }
    return Optional.empty();
  }

  /** Makes the data directory: in a scratch directory first, moved in place once complete. */
  private void initialise(DataServer s, DataServer.Programs programs, OsUser user, Path data,
      Path seen, String password, Path log) throws IOException, InterruptedException {
    Path scratch = data.resolveSibling("." + s.serviceName() + ".init");
    // where the init programs see the scratch directory: bind-mounted where the data will be
    // seen, or (no namespace) the scratch directory itself
    Path at = privileges.namespaces() ? seen : scratch;
    deleteTree(scratch);
    PrivateFiles.createDirectories(scratch.resolve("data"));
    note(log, "initialising " + data + " (" + s.title() + ", first start)");
    switch (s) {
      case POSTGRESQL -> {
        writePrivate(scratch.resolve("pw"), password + "\n", null);
        chownTree(scratch, user);
        run(wrap(user, scratch, at, List.of(programs.init().toString(), "-D",
            at.resolve("data").toString(), "-U", DataServer.POSTGRESQL.adminUser(),
            "--auth=scram-sha-256", "--pwfile=" + at.resolve("pw"), "--encoding=UTF8",
            "--locale=C.UTF-8")), log, "initdb");
      }
      case MYSQL -> {
        // install-db makes root@localhost, @127.0.0.1 and @::1 without a password; then
        // every other account goes and root's three get the password (its hash only)
        writePrivate(scratch.resolve("init.sql"), String.join("\n",
            "DELETE FROM mysql.global_priv WHERE User <> 'mariadb.sys' AND NOT (User = 'root'"
                + " AND Host IN ('localhost', '127.0.0.1', '::1'));",
            "UPDATE mysql.global_priv SET Priv = JSON_SET(Priv, '$.plugin', "
                + "'mysql_native_password', '$.authentication_string', '"
                + mysqlNativeHash(password) + "') WHERE User = 'root';", ""), null);
        chownTree(scratch, user);
        run(wrap(user, scratch, at, List.of(programs.init().toString(), "--no-defaults",
            "--datadir=" + at.resolve("data"), "--auth-root-authentication-method=normal",
            "--skip-test-db", "--skip-name-resolve",
            "--extra-file=" + at.resolve("init.sql"))), log, programs.init().getFileName()
            .toString());
      }
      case REDIS -> chownTree(scratch, user);
      default -> throw new IllegalStateException("unknown server " + s);
    }
    Files.move(scratch.resolve("data"), data, StandardCopyOption.ATOMIC_MOVE);
    PrivateFiles.setMode(data, PrivateFiles.DIR);
    deleteTree(scratch);
    note(log, "initialised " + data);
  }

  /** MySQL's {@code mysql_native_password} hash: {@code *} and SHA1(SHA1(password)) in hex. */
  static String mysqlNativeHash(String password) {
    try {
      MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
      byte[] once = sha1.digest(password.getBytes(StandardCharsets.UTF_8));
      return "*" + HexFormat.of().withUpperCase().formatHex(sha1.digest(once));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private void run(List<String> command, Path log, String what)
      throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
    if (!p.waitFor(INIT_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      throw new IllegalStateException(what + " did not finish within "
          + INIT_TIMEOUT.toMinutes() + " min; its output is in " + log);
    }
    if (p.exitValue() != 0) {
      throw new IllegalStateException(what + " failed (exit " + p.exitValue()
          + "); its output is in " + log);
    }
  }

  private static void note(Path log, String text) throws IOException {
    PrivateFiles.createDirectories(log.getParent());
    PrivateFiles.writeString(log, "--- kato " + Instant.now() + " " + text + "\n",
        StandardOpenOption.CREATE, StandardOpenOption.APPEND);
  }

  /** Writes a file 0600 atomically, owned by {@code user} (null: the agent's). */
  private static void writePrivate(Path file, String text, OsUser user) throws IOException {
    Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
    Files.deleteIfExists(tmp);
    PrivateFiles.createFile(tmp);
    Files.writeString(tmp, text, StandardCharsets.UTF_8);
    if (user != null) {
      chown(tmp, user);
    }
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private static void chownTree(Path root, OsUser user) throws IOException {
    if (user == null) {
      return;
    }
    Files.walkFileTree(root, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs)
          throws IOException {
        chown(dir, user);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        chown(file, user);
        return FileVisitResult.CONTINUE;
      }
    });
  }

  private static void chown(Path p, OsUser user) throws IOException {
    Files.setAttribute(p, "unix:uid", user.uid(), LinkOption.NOFOLLOW_LINKS);
    Files.setAttribute(p, "unix:gid", user.gid(), LinkOption.NOFOLLOW_LINKS);
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    Files.walkFileTree(root, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Files.delete(file);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
        Files.delete(dir);
        return FileVisitResult.CONTINUE;
      }
    });
  }

  /**
   * Without a mount namespace the server's user must pass every directory above its data
   * (say which one it cannot, rather than let the server fail obscurely).
   */
  private static void requirePassable(Path data, OsUser user) throws IOException {
    for (Path dir = data.toAbsolutePath().getParent(); dir != null; dir = dir.getParent()) {
      if (!Files.isDirectory(dir)) {
        continue;
      }
      int owner = (Integer) Files.getAttribute(dir, "unix:uid");
      var mode = Files.getPosixFilePermissions(dir);
      if (owner != user.uid() && !mode.contains(PosixFilePermission.OTHERS_EXECUTE)) {
        throw new IllegalStateException(dir + " cannot be passed by the user '" + user.name()
            + "' the server runs as (mode " + java.nio.file.attribute.PosixFilePermissions
            .toString(mode) + "); set UPDRAFT_HOME below a directory others may pass");
      }
    }
  }

  /** A system user: its name and ids. */
  record OsUser(String name, int uid, int gid) {

    /** The user from the system's user database ({@code getent passwd}). */
    static Optional<OsUser> lookup(String name) {
      try {
        Process p = new ProcessBuilder("getent", "passwd", name).redirectErrorStream(true)
            .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
          return Optional.empty();
        }
        String[] fields = out.trim().split(":");
        if (fields.length < 4) {
          return Optional.empty();
        }
        return Optional.of(new OsUser(name, Integer.parseInt(fields[2]),
            Integer.parseInt(fields[3])));
      } catch (IOException | NumberFormatException e) {
        return Optional.empty();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return Optional.empty();
      }
    }
  }

  /**
   * What the agent may do: run servers as other users (root), and give them mount namespaces
   * (root with CAP_SYS_ADMIN, which an unprivileged container lacks).
   */
  record Privileges(boolean root, boolean namespaces, String unshare, String setpriv) {

    static Privileges detect() {
      boolean root = uid() == 0;
      String unshare = program("unshare");
      String setpriv = program("setpriv");
      boolean namespaces = root && unshare != null && program("mount") != null
          && hasSysAdmin() && Files.isDirectory(MOUNT_ROOT.getParent().getParent());
      return new Privileges(root, namespaces, unshare, setpriv != null ? setpriv : "setpriv");
    }

    private static int uid() {
      try {
        return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
      } catch (IOException | UnsupportedOperationException e) {
        return -1;
      }
    }

    /** CAP_SYS_ADMIN (bit 21) in the effective set, from {@code /proc/self/status}. */
    private static boolean hasSysAdmin() {
      try {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
          if (line.startsWith("CapEff:")) {
            long caps = Long.parseUnsignedLong(line.substring(7).trim(), 16);
            return (caps & (1L << 21)) != 0;
          }
        }
      } catch (IOException | NumberFormatException e) {
        // unknown: no namespaces
      }
      return false;
    }

    private static String program(String name) {
      for (String dir : List.of("/usr/bin", "/bin", "/usr/sbin", "/sbin")) {
        Path p = Path.of(dir, name);
        if (Files.isExecutable(p)) {
          return p.toString();
        }
      }
      return null;
    }
  }
}
