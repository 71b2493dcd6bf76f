package io.updraft.stager.process;

import io.updraft.stager.task.Deadline;
import io.updraft.stager.task.StagingException;
import io.updraft.stager.task.StagingLog;
import io.updraft.stager.task.StagingTimeoutException;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs one build step (mvn, npm, pip …) as a child process, bounded by the task's
 * {@link Deadline} and by a memory limit on the resident size of its whole process tree.
 * Output (stdout and stderr merged) goes to the staging log line by line as it comes.
 *
 * <p>The process gets exactly the environment given (never the stager's own, which may hold
 * NATS credentials), stdin from {@code /dev/null} (a prompt must not hang the build) and,
 * through {@code setsid}, its own process group, so that a kill reaches grandchildren even
 * when they were re-parented. Blocking: call from a worker thread.
 */
public final class BuildProcess {

  private static final Path SETSID = Path.of("/usr/bin/setsid");
  /** How often the tree's memory and the deadline are checked. */
  private static final long POLL_MILLIS = 100;

  private BuildProcess() {
  }

  /** What a finished step left: its exit code and the last lines of its output. */
  public record Result(int exitCode, List<String> tail) {
    public boolean succeeded() {
      return exitCode == 0;
    }

    public String tailText() {
      return String.join("\n", tail);
    }
  }

  /**
   * Runs {@code command} in {@code dir}; returns when it exits.
   *
   * @throws StagingTimeoutException when the deadline passes first (the tree is killed)
   * @throws StagingException when the tree exceeds {@code maxMemoryMb} (killed), or the
   *     command cannot be started
   */
  public static Result run(List<String> command, Path dir, Map<String, String> env,
      Deadline deadline, int maxMemoryMb, StagingLog log) throws StagingException {
    deadline.check();
    List<String> argv = new ArrayList<>();
    boolean ownGroup = Files.isExecutable(SETSID);
    if (ownGroup) {
      argv.add(SETSID.toString());
      // --wait: should setsid have to fork (it does when already a group leader), it still
      // stands for the build and returns its exit code instead of 0 at once
      argv.add("--wait");
    }
    argv.addAll(command);
    ProcessBuilder pb = new ProcessBuilder(argv)
        .directory(dir.toFile())
        .redirectErrorStream(true)
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    pb.environment().clear();
    pb.environment().putAll(env);
    Process process;
    try {
      process = pb.start();
    } catch (IOException e) {
      throw new StagingException("Could not run " + command.get(0) + ": " + e.getMessage(), e);
    }
    OutputPump output = OutputPump.start(process, log);
    long maxRssKb = maxMemoryMb * 1024L;
    try {
      while (!process.waitFor(POLL_MILLIS, TimeUnit.MILLISECONDS)) {
        if (deadline.passed()) {
          ProcessTree.kill(process.toHandle(), ownGroup);
          deadline.check();
        }
        long rssKb = ProcessTree.rssKb(process.toHandle());
        if (rssKb > maxRssKb) {
          ProcessTree.kill(process.toHandle(), ownGroup);
          throw new StagingException("Staging exceeded the memory limit of " + maxMemoryMb
              + " MB (" + command.get(0) + " used " + rssKb / 1024 + " MB)");
        }
      }
      // the leader is gone; anything it left behind in its group goes too
      ProcessTree.kill(process.toHandle(), ownGroup);
      output.drain();
    } catch (InterruptedException e) {
      ProcessTree.kill(process.toHandle(), ownGroup);
      Thread.currentThread().interrupt();
      throw new StagingException("Staging was interrupted", e);
    }
    return new Result(process.exitValue(), output.tail());
  }
}
