package io.updraft.kato.dataservers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A data server the node agent runs for the services node, from the OS packages' binaries
 * (as Stackato's data-services nodes ran theirs): what it is called, where its programs are,
 * the port it takes by default (beside the machine's own server on the standard one), the
 * unprivileged user the package made for it, and the admin login the services node uses.
 */
public enum DataServer {

  POSTGRESQL("postgresql", "PostgreSQL", 5532, "postgres", "postgresql", "postgres"),
  MYSQL("mysql", "MariaDB", 3406, "mysql", "mariadb-server", "root"),
  REDIS("redis", "Redis", 6479, "redis", "redis-server", null);

  private final String serviceName;
  private final String title;
  private final int defaultPort;
  private final String osUser;
  private final String osPackage;
  private final String adminUser;

  DataServer(String serviceName, String title, int defaultPort, String osUser,
      String osPackage, String adminUser) {
    this.serviceName = serviceName;
    this.title = title;
    this.defaultPort = defaultPort;
    this.osUser = osUser;
    this.osPackage = osPackage;
    this.adminUser = adminUser;
  }

  /** The service type it backs, also its process name and config document. */
  public String serviceName() {
    return serviceName;
  }

  public String title() {
    return title;
  }

  public int defaultPort() {
    return defaultPort;
  }

  /** The system user the OS package created for it; the server runs as that user under root. */
  public String osUser() {
    return osUser;
  }

  /** The Debian package that brings its programs (said when they are missing). */
  public String osPackage() {
    return osPackage;
  }

  /** The admin login the services node uses; Redis: none (the default user's password). */
  public String adminUser() {
    return adminUser;
  }

  public static Optional<DataServer> byName(String name) {
    return Arrays.stream(values()).filter(s -> s.serviceName.equals(name)).findFirst();
  }

  /** The server's programs: the server itself and what initialises its data directory. */
  public record Programs(Path server, Path init) {
  }

  /**
   * Finds the programs: in {@code binDir} when the operator named one, else where the OS
   * packages put them (PostgreSQL: the newest {@code /usr/lib/postgresql/<version>/bin}), else
   * on the PATH. Empty when they are not installed.
   */
  public Optional<Programs> programs(String binDir) {
    List<Path> dirs = new ArrayList<>();
    if (binDir != null && !binDir.isBlank()) {
      dirs.add(Path.of(binDir));
    } else {
      if (this == POSTGRESQL) {
        dirs.addAll(postgresVersionDirs(Path.of("/usr/lib/postgresql")));
      }
      dirs.addAll(List.of(Path.of("/usr/sbin"), Path.of("/usr/bin"), Path.of("/usr/local/sbin"),
          Path.of("/usr/local/bin")));
      for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
        if (!dir.isBlank()) {
          dirs.add(Path.of(dir));
        }
      }
    }
    return switch (this) {
      // initdb must be the server's own version: both from one directory (links resolved,
      // /usr/local/bin/postgres may point into /usr/lib/postgresql/15/bin)
      case POSTGRESQL -> dirs.stream().map(d -> executable(d, "postgres"))
          .flatMap(Optional::stream).map(DataServer::real)
          .map(p -> executable(p.getParent(), "initdb").map(i -> new Programs(p, i)))
          .flatMap(Optional::stream).findFirst();
      case MYSQL -> first(dirs, "mariadbd", "mysqld").flatMap(server -> first(
          withDir(server.getParent(), dirs), "mariadb-install-db", "mysql_install_db")
          .map(init -> new Programs(server, init)));
      case REDIS -> first(dirs, "redis-server").map(server -> new Programs(server, null));
    };
  }

  /** Where the programs were looked for, for the message when they are not there. */
  public String searched(String binDir) {
    if (binDir != null && !binDir.isBlank()) {
      return binDir;
    }
    return switch (this) {
      case POSTGRESQL -> "/usr/lib/postgresql/*/bin and the PATH";
      case MYSQL -> "/usr/sbin and the PATH";
      case REDIS -> "/usr/bin and the PATH";
    };
  }

  /** The names of the programs it needs, for messages. */
  public String programNames() {
    return switch (this) {
      case POSTGRESQL -> "postgres and initdb";
      case MYSQL -> "mariadbd and mariadb-install-db";
      case REDIS -> "redis-server";
    };
  }

  private static List<Path> withDir(Path first, List<Path> dirs) {
    List<Path> out = new ArrayList<>();
    out.add(first);
    out.addAll(dirs);
    return out;
  }

  private static Optional<Path> first(List<Path> dirs, String... names) {
    for (String name : names) {
      for (Path dir : dirs) {
        Optional<Path> found = executable(dir, name);
        if (found.isPresent()) {
          return found;
        }
      }
    }
    return Optional.empty();
  }

  private static Optional<Path> executable(Path dir, String name) {
    Path p = dir.resolve(name);
    return Files.isRegularFile(p) && Files.isExecutable(p) ? Optional.of(p) : Optional.empty();
  }

  private static Path real(Path p) {
    try {
      return p.toRealPath();
    } catch (IOException e) {
      return p;
    }
  }

  /** {@code /usr/lib/postgresql/<version>/bin}, newest version first. */
  static List<Path> postgresVersionDirs(Path root) {
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    try (Stream<Path> versions = Files.list(root)) {
      return versions.filter(p -> p.getFileName().toString().matches("\\d+(\\.\\d+)?"))
          .sorted(Comparator.comparingDouble(
              (Path p) -> Double.parseDouble(p.getFileName().toString())).reversed())
          .map(p -> p.resolve("bin")).toList();
    } catch (IOException e) {
      return List.of();
    }
  }
}
