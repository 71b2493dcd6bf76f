package io.updraft.stager.task;

import java.util.function.Consumer;

/**
 * A staging task's log: human-readable lines, kept whole for the droplet's
 * {@code logs/staging.log} and the reply's {@code task_log}, and handed one by one, in order,
 * to a sink (the responder publishes them on {@code staging.<task_id>.log}). Thread-safe: a
 * build's output is read on its own thread.
 *
 * <p>Sizes are bounded for the bus, whose messages are limited (NATS: 1 MB by default): a line
 * longer than {@link #MAX_LINE_CHARS} is cut, and {@link #replyText()} keeps the end of a long
 * log (where the error is).
 */
public final class StagingLog {

  /** Longer lines (minified output, progress bars) are cut; nobody reads past this. */
  static final int MAX_LINE_CHARS = 8 * 1024;
  /** The most of the log a reply carries: well under NATS's 1 MB even when JSON-escaped. */
  static final int MAX_REPLY_CHARS = 256 * 1024;

  private final StringBuilder text = new StringBuilder();
  private final Consumer<String> sink;

  public StagingLog(Consumer<String> sink) {
    this.sink = sink;
  }

  /** A log that only keeps its text. */
  public static StagingLog detached() {
    return new StagingLog(line -> { });
  }

  /** Appends one line (a multi-line string becomes several lines). */
  public void line(String line) {
    String[] lines = line.split("\r?\n", -1);
    int count = lines.length;
    if (count > 1 && lines[count - 1].isEmpty()) {
      count--;
    }
    for (int i = 0; i < count; i++) {
      String one = lines[i].length() <= MAX_LINE_CHARS ? lines[i]
          : lines[i].substring(0, MAX_LINE_CHARS) + " [line cut]";
      synchronized (this) {
        text.append(one).append('\n');
        sink.accept(one);
      }
    }
  }

  /** The whole log. */
  public synchronized String text() {
    return text.toString();
  }

  /** The log for a reply: all of it, or its end when it is longer than a message may be. */
  public synchronized String replyText() {
    if (text.length() <= MAX_REPLY_CHARS) {
      return text.toString();
    }
    int start = text.indexOf("\n", text.length() - MAX_REPLY_CHARS) + 1;
    return "[… the first " + start + " characters of the log are left out …]\n"
        + text.substring(start);
  }
}
