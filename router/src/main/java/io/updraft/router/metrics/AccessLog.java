package io.updraft.router.metrics;

import io.updraft.common.files.PrivateFiles;
import io.updraft.router.RouterConfig.AccessLogConfig;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One line per proxied request, written by a thread of its own. Each event loop formats its
 * lines into a buffer of its own ({@link #local()}) and hands the writer about 200 at a time
 * (or what it has, every flush tick): nothing is shared per request, and an event loop never
 * blocks on a slow disk or pipe. When the writer is hopelessly behind, batches are dropped and
 * their lines counted rather than slowing traffic.
 *
 * <pre>2026-11-24T21:58:00.123Z host=app.example.com method=GET path="/a" status=200
 * bytes=512 bytes_in=0 duration_ms=1.204 backend=10.0.0.7:61023 request_id=... client=10.0.0.9
 * app=42</pre>
 *
 * <p>The query string is not logged: it may carry tokens. Lines are written as ISO-8859-1,
 * which gives back the request's own bytes (the proxy reads the request line and headers so).
 */
public final class AccessLog implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(AccessLog.class);
  /** Batches waiting for the writer, at most: about a second of traffic at full speed. */
  private static final int QUEUE_BATCHES = 512;
  /** How long the writer sleeps when the queue is empty. */
  private static final long IDLE_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
  /** About 200 lines: handed over and written with one call. */
  private static final int BATCH_BYTES = 1 << 15;

  /** What one line says. {@code backend} and {@code app} may be null. */
  public record Entry(long epochMillis, String client, String method, String host, String path,
      int status, long bytesSent, long bytesReceived, long durationNanos, String backend,
      String requestId, String app) {
  }

  /** A batch of formatted lines. */
  private record Batch(byte[] bytes, int length, int lines) {
  }

  private final Queue<Batch> queue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger queued = new AtomicInteger();
  private final OutputStream out;
  private final boolean ownsOut;
  private final Thread writer;
  private final LongAdder dropped = new LongAdder();
  private volatile boolean running = true;

  private AccessLog(OutputStream out, boolean ownsOut) {
    this.out = out;
    this.ownsOut = ownsOut;
    this.writer = out == null ? null : new Thread(this::drain, "router-access-log");
    if (writer != null) {
      writer.setDaemon(true);
      writer.start();
    }
  }

  /** Opens the configured destination (a disabled log accepts and forgets entries). */
  public static AccessLog open(AccessLogConfig config) {
    if (!config.enabled()) {
      return new AccessLog(null, false);
    }
    if (config.file() == null) {
      // standard output is not ours to close
      return new AccessLog(new BufferedOutputStream(new FileOutputStream(FileDescriptor.out),
          1 << 16), false);
    }
    try {
      // apps' requests, clients' addresses: the router's user's alone. A directory it makes
      // is 0700 (an existing one may be shared: /var/log/updraft), the file 0600, also when
      // an older version left it readable
      Path path = Path.of(config.file());
      if (path.getParent() != null) {
        PrivateFiles.createDirectories(path.getParent());
      }
      OutputStream out = PrivateFiles.newOutputStream(path, StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
      try {
        PrivateFiles.restrict(path); // a regular file only: not a configured /dev/stdout
      } catch (IOException e) {
        out.close();
        throw e;
      }
      return new AccessLog(new BufferedOutputStream(out, 1 << 16), true);
    } catch (IOException e) {
      throw new IllegalStateException("cannot open access log " + config.file() + ": "
          + e.getMessage(), e);
    }
  }

  /**
   * A formatter for one thread (an event loop): not thread-safe, and meant to be flushed by
   * its thread now and then so that lines of a quiet moment do not wait.
   */
  public Local local() {
    return new Local();
  }

  /** One thread's lines on their way to the writer. */
  public final class Local {
    private Line line = new Line(BATCH_BYTES + 4096);
    private int lines;

    private Local() {
    }

    /** Formats the line now; never blocks. */
    public void add(Entry entry) {
      if (out == null) {
        return;
      }
      format(entry, line);
      lines++;
      if (line.length >= BATCH_BYTES) {
        flush();
      }
    }

    /** Hands what is formatted to the writer. */
    public void flush() {
      if (lines == 0) {
        return;
      }
      if (queued.incrementAndGet() > QUEUE_BATCHES) {
        queued.decrementAndGet();
        dropped.add(lines);
      } else {
        queue.offer(new Batch(line.bytes, line.length, lines));
        Line next = new Line(BATCH_BYTES + 4096);
        next.cachedSecond = line.cachedSecond;
        next.cachedPrefix = line.cachedPrefix;
        line = next;
      }
      line.length = 0;
      lines = 0;
    }
  }

  public long dropped() {
    return dropped.sum();
  }

  private void drain() {
    while (running || !queue.isEmpty()) {
      Batch batch = queue.poll();
      try {
        if (batch == null) {
          out.flush();
          LockSupport.parkNanos(IDLE_NANOS);
          continue;
        }
        queued.decrementAndGet();
        out.write(batch.bytes(), 0, batch.length());
      } catch (IOException ex) {
        log.atWarn().setMessage("router.access-log.write-failed")
            .addKeyValue("error", ex.getMessage()).log();
      }
    }
    try {
      out.flush();
    } catch (IOException ex) {
      log.atDebug().setMessage("router.access-log.flush-failed").log();
    }
  }

  /** Bytes of lines being formatted: ISO-8859-1, as the request's own bytes came. */
  static final class Line {
    byte[] bytes;
    int length;
    // ISO-8601 up to the second: it changes once a second
    private long cachedSecond = Long.MIN_VALUE;
    private String cachedPrefix;

    Line(int capacity) {
      bytes = new byte[capacity];
    }

    private void room(int n) {
      if (length + n > bytes.length) {
        bytes = java.util.Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + n));
      }
    }

    Line add(char c) {
      room(1);
      bytes[length++] = (byte) c;
      return this;
    }

    Line add(String s) {
      int n = s.length();
      room(n);
      for (int i = 0; i < n; i++) {
        bytes[length++] = (byte) s.charAt(i);
      }
      return this;
    }

    Line add(long value) {
      if (value < 0) {
        add('-');
        value = -value;
      }
      return padded(value, 1);
    }

    /** {@code value} (not negative) in at least {@code digits} digits. */
    Line padded(long value, int digits) {
      int n = 1;
      for (long v = value / 10; v > 0; v /= 10) {
        n++;
      }
      n = Math.max(n, digits);
      room(n);
      for (int i = length + n - 1; i >= length; i--) {
        bytes[i] = (byte) ('0' + value % 10);
        value /= 10;
      }
      length += n;
      return this;
    }

    @Override
    public String toString() {
      return new String(bytes, 0, length, java.nio.charset.StandardCharsets.ISO_8859_1);
    }
  }

  /** Formats one line (an event loop's work, kept cheap). */
  static void format(Entry e, Line line) {
    timestamp(e.epochMillis(), line);
    line.add(" host=").add(e.host()).add(" method=").add(e.method()).add(" path=\"");
    escape(e.path(), line);
    line.add("\" status=").add(e.status()).add(" bytes=").add(e.bytesSent())
        .add(" bytes_in=").add(e.bytesReceived()).add(" duration_ms=");
    long micros = e.durationNanos() / 1_000;
    line.add(micros / 1_000).add('.').padded(micros % 1_000, 3);
    line.add(" backend=").add(e.backend() == null ? "-" : e.backend())
        .add(" request_id=").add(e.requestId())
        .add(" client=").add(e.client());
    if (e.app() != null) {
      line.add(" app=").add(e.app());
    }
    line.add('\n');
  }

  /** ISO-8601 UTC with milliseconds. */
  private static void timestamp(long epochMillis, Line line) {
    long second = Math.floorDiv(epochMillis, 1000);
    if (second != line.cachedSecond) {
      String full = Instant.ofEpochSecond(second).toString();
      line.cachedPrefix = full.substring(0, full.length() - 1);
      line.cachedSecond = second;
    }
    line.add(line.cachedPrefix).add('.').padded(Math.floorMod(epochMillis, 1000), 3).add('Z');
  }

  /** Keeps one entry on one line whatever the client sent. */
  private static void escape(String s, Line line) {
    if (s == null) {
      return;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        line.add('\\').add(c);
      } else if (c < 0x20 || c == 0x7f) {
        line.add("\\x").add(Character.forDigit(c >> 4, 16)).add(Character.forDigit(c & 15, 16));
      } else {
        line.add(c);
      }
    }
  }

  /** Writes what is queued, then stops the writer thread (bounded). */
  @Override
  public void close() {
    running = false;
    if (writer != null) {
      try {
        writer.join(2_000);
        if (ownsOut) {
          out.close();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (IOException e) {
        log.atDebug().setMessage("router.access-log.close-failed").log();
      }
    }
  }
}
