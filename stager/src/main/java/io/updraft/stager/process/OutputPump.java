package io.updraft.stager.process;

import io.updraft.stager.task.StagingLog;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * A build step's output (stdout and stderr merged) copied to the staging log line by line as
 * it comes, on a thread of its own, keeping the last lines for the error of a failed step.
 */
public final class OutputPump {

  /** Lines of output kept for the error message of a failed step. */
  static final int TAIL_LINES = 15;
  /** After the process is gone, how long a grandchild may keep its output pipe open. */
  private static final long OUTPUT_DRAIN_MILLIS = 2_000;

  private final Deque<String> tail = new ArrayDeque<>();
  private final Thread reader;

  private OutputPump(Process process, StagingLog log) {
    reader = new Thread(() -> pump(process, log), "stager-build-output");
    reader.setDaemon(true);
  }

  /** Starts copying {@code process}'s output to {@code log}. */
  public static OutputPump start(Process process, StagingLog log) {
    OutputPump pump = new OutputPump(process, log);
    pump.reader.start();
    return pump;
  }

  /** Waits (bounded) for the rest of the output once the process has ended. */
  public void drain() throws InterruptedException {
    reader.join(OUTPUT_DRAIN_MILLIS);
  }

  /** The last lines so far. */
  public List<String> tail() {
    synchronized (tail) {
      return List.copyOf(tail);
    }
  }

  private void pump(Process process, StagingLog log) {
    try (BufferedReader in = new BufferedReader(
        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        log.line(line);
        synchronized (tail) {
          tail.addLast(line);
          if (tail.size() > TAIL_LINES) {
            tail.removeFirst();
          }
        }
      }
    } catch (IOException e) {
      // the stream closes when the process is killed: nothing more to read
    }
  }
}
