package io.updraft.common.container;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * An OCI runtime binary ({@code crun} or {@code runc}) with its own state directory
 * ({@code --root}), so the containers of one component never mix with anyone else's. The
 * runtime is run in the foreground ({@code run}): it stays the parent of the container's init,
 * exits with its status and deletes the container, so the caller watches one ordinary process
 * and knows how it ended. Blocking.
 */
public final class OciRuntime {

  /** Runtimes tried, in order, when none is named. */
  public static final List<String> CANDIDATES = List.of("crun", "runc");
  private static final List<Path> BIN_DIRS = List.of(Path.of("/usr/local/sbin"),
      Path.of("/usr/local/bin"), Path.of("/usr/sbin"), Path.of("/usr/bin"), Path.of("/sbin"),
      Path.of("/bin"));
  private static final long COMMAND_TIMEOUT_SECONDS = 30;

  private final String name;
  private final Path binary;
  private final Path stateRoot;

  public OciRuntime(String name, Path binary, Path stateRoot) {
    this.name = name;
    this.binary = binary;
    this.stateRoot = stateRoot;
  }

  public String name() {
    return name;
  }

  public Path binary() {
    return binary;
  }

  /** The runtime's executable on the usual paths, or null. */
  public static Path find(String name) {
    for (Path dir : BIN_DIRS) {
      Path p = dir.resolve(name);
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    return null;
  }

  /**
   * The command that runs the bundle's container in the foreground; the caller starts it in
   * its own session ({@code setsid}) with the container's stdout and stderr as its own.
   */
  public List<String> runCommand(Path bundle, String id) {
    return List.of(binary.toString(), "--root", stateRoot.toString(), "run", "--bundle",
        bundle.toString(), "--no-new-keyring", id);
  }

  /** Sends {@code signal} to every process of the container; false when it is not there. */
  public boolean kill(String id, String signal) {
    return exec(List.of(binary.toString(), "--root", stateRoot.toString(), "kill", "--all", id,
        signal)).exitCode() == 0;
  }

  /** Forgets a container, killing what is left of it; quiet when there is none. */
  public void delete(String id) {
    if (!Files.exists(stateRoot.resolve(id))) {
      return; // the runtime keeps a directory per container it knows: nothing to forget
    }
    exec(List.of(binary.toString(), "--root", stateRoot.toString(), "delete", "--force", id));
  }

  /** Ids of the containers the runtime knows under this state root. */
  public List<String> list() {
    Result r = exec(List.of(binary.toString(), "--root", stateRoot.toString(), "list",
        "--quiet"));
    List<String> ids = new ArrayList<>();
    if (r.exitCode() == 0) {
      for (String line : r.output().split("\n")) {
        if (!line.isBlank()) {
          ids.add(line.strip());
        }
      }
    }
    return ids;
  }

  /** Creates the state root (0700). */
  public void prepare() throws IOException {
    Files.createDirectories(stateRoot);
    Files.setPosixFilePermissions(stateRoot, PosixFilePermissions.fromString("rwx------"));
  }

  /** A finished command: exit code and merged output. */
  public record Result(int exitCode, String output) {
  }

  /** Runs a short command (runtime or {@code ip}/{@code iptables}) to completion, bounded. */
  public static Result exec(List<String> command) {
    return exec(command, null);
  }

  static Result exec(List<String> command, String stdin) {
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    if (stdin == null) {
      pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    }
    pb.environment().keySet().retainAll(List.of("PATH", "LANG"));
    pb.environment().putIfAbsent("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
    try {
      Process p = pb.start();
      if (stdin != null) {
        try (var in = p.getOutputStream()) {
          in.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
      }
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return new Result(-1, command.get(0) + " did not finish within "
            + COMMAND_TIMEOUT_SECONDS + " s");
      }
      return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8).strip());
    } catch (IOException e) {
      return new Result(-1, e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Result(-1, "interrupted");
    }
  }

  @Override
  public String toString() {
    return name + " (" + binary + ")";
  }
}
