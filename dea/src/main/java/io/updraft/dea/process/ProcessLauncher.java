package io.updraft.dea.process;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Starts an instance's {@code startup} script: {@code ./startup -p <port>} in the instance
 * directory, with exactly the given environment, stdin from {@code /dev/null}, stdout and
 * stderr appended to {@code logs/stdout.log} and {@code logs/stderr.log}. Through
 * {@code setsid} the script leads its own process group, so a stop reaches every process
 * the app started. Its open files are limited to {@code limits.fds} ({@code prlimit}).
 * With a user prefix ({@code setpriv}) it runs as the instance's own uid.
 * When a memory cgroup is given, the process joins it before it execs the
 * script, so no child escapes the limit. Blocking: call from a worker.
 */
public final class ProcessLauncher {

  private static final Path SETSID = Path.of("/usr/bin/setsid");
  private static final Path PRLIMIT = Path.of("/usr/bin/prlimit");

  private ProcessLauncher() {
  }

  /**
   * @param userPrefix what runs the script as the instance's own user ({@link UserIsolation}),
   *     empty to run it as the DEA's user
   */
  public static Process launch(Path dir, Map<String, String> env, Integer port, Path cgroupProcs,
      List<String> userPrefix, int fds) throws IOException {
    Path startup = dir.resolve("startup");
    if (!Files.isRegularFile(startup, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      throw new IOException("droplet has no startup script");
    }
    Set<PosixFilePermission> perms = Files.getPosixFilePermissions(startup);
    if (!perms.contains(PosixFilePermission.OWNER_EXECUTE)) {
      perms.add(PosixFilePermission.OWNER_EXECUTE);
      Files.setPosixFilePermissions(startup, perms);
    }
    Path logs = dir.resolve("logs");
    Files.createDirectories(logs);
    Files.createDirectories(dir.resolve("tmp"));
    List<String> command = new ArrayList<>();
    if (cgroupProcs != null) {
      // the shell moves itself into the cgroup, then becomes the script
      command.addAll(List.of("/bin/sh", "-c", "echo $$ > \"$0\" && exec \"$@\"",
          cgroupProcs.toString()));
    }
    if (Files.isExecutable(PRLIMIT)) {
      // the start message's limits.fds (v1: ulimit -n)
      command.addAll(List.of(PRLIMIT.toString(), "--nofile=" + fds + ":" + fds, "--"));
    }
    command.addAll(userPrefix);
    if (Files.isExecutable(SETSID)) {
      command.add(SETSID.toString());
    }
    command.add("./startup");
    if (port != null) {
      command.add("-p");
      command.add(String.valueOf(port));
    }
    ProcessBuilder pb = new ProcessBuilder(command)
        .directory(dir.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .redirectOutput(ProcessBuilder.Redirect.appendTo(logs.resolve("stdout.log").toFile()))
        .redirectError(ProcessBuilder.Redirect.appendTo(logs.resolve("stderr.log").toFile()));
    pb.environment().clear();
    pb.environment().putAll(env);
    return pb.start();
  }
}
