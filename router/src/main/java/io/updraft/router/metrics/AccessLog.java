package io.updraft.router.metrics;

import io.updraft.router.RouterConfig.AccessLogConfig;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
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
 * One line per proxied request, written by a thread of its own: event loops only enqueue an
 * {@link Entry} (lock-free, no wake-up of the writer per line; it wakes on its own every few
 * milliseconds), so they never block on a slow disk or pipe. When the queue is full the line
 * is dropped and counted rather than slowing traffic.
 *
 * <pre>2026-11-24T21:58:00.123Z host=app.example.com method=GET path="/a" status=200
 * bytes=512 bytes_in=0 duration_ms=1.204 backend=10.0.0.7:61023 request_id=... client=10.0.0.9
 * app=42</pre>
 *
 * <p>The query string is not logged: it may carry tokens. Lines are written as ISO-8859-1,
 * which gives back the request's own bytes (Netty decodes the request line and headers so).
 */
public final class AccessLog implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(AccessLog.class);
  // about a second of traffic at full speed; beyond that the writer is hopelessly behind
  private static final int QUEUE_CAPACITY = 65_536;
  /** How long the writer sleeps when the queue is empty: the most a line waits. */
  private static final long IDLE_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
  /** About 200 lines: written with one call. */
  private static final int BATCH_CHARS = 1 << 15;

  /** What one line says. {@code backend} and {@code app} may be null. */
  public record Entry(long epochMillis, String client, String method, String host, String path,
      int status, long bytesSent, long bytesReceived, long durationNanos, String backend,
      String requestId, String app) {
  }

  private final Queue<Entry> queue = new ConcurrentLinkedQueue<>();
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
      Path path = Path.of(config.file());
      if (path.getParent() != null) {
        Files.createDirectories(path.getParent());
      }
      return new AccessLog(new BufferedOutputStream(Files.newOutputStream(path,
          StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE),
          1 << 16), true);
    } catch (IOException e) {
      throw new IllegalStateException("cannot open access log " + config.file() + ": "
          + e.getMessage(), e);
    }
  }

  /** Never blocks; called on event loops. */
  public void add(Entry entry) {
    if (out == null) {
      return;
    }
    if (queued.incrementAndGet() > QUEUE_CAPACITY) {
      queued.decrementAndGet();
      dropped.increment();
      return;
    }
    queue.offer(entry);
  }

  public long dropped() {
    return dropped.sum();
  }

  private void drain() {
    // lines are formatted into one builder and written in batches, as bytes without a String
    StringBuilder lines = new StringBuilder(BATCH_CHARS + 512);
    byte[] bytes = new byte[BATCH_CHARS + 512];
    while (running || !queue.isEmpty()) {
      int taken = 0;
      Entry e;
      while (lines.length() < BATCH_CHARS && (e = queue.poll()) != null) {
        format(e, lines);
        taken++;
      }
      try {
        if (taken == 0) {
          out.flush();
          LockSupport.parkNanos(IDLE_NANOS);
          continue;
        }
        queued.addAndGet(-taken);
        int n = lines.length();
        if (bytes.length < n) {
          bytes = new byte[n];
        }
        for (int i = 0; i < n; i++) {
          bytes[i] = (byte) lines.charAt(i);
        }
        lines.setLength(0);
        out.write(bytes, 0, n);
      } catch (IOException ex) {
        lines.setLength(0);
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

  /** Formats one line (the writer thread's work, kept cheap: it shares the cores). */
  void format(Entry e, StringBuilder sb) {
    timestamp(e.epochMillis(), sb);
    sb.append(" host=").append(e.host())
        .append(" method=").append(e.method()).append(" path=\"");
    escape(e.path(), sb);
    sb.append("\" status=").append(e.status()).append(" bytes=").append(e.bytesSent())
        .append(" bytes_in=").append(e.bytesReceived())
        .append(" duration_ms=");
    long micros = e.durationNanos() / 1_000;
    sb.append(micros / 1_000).append('.');
    pad(micros % 1_000, 3, sb);
    sb
        .append(" backend=").append(e.backend() == null ? "-" : e.backend())
        .append(" request_id=").append(e.requestId())
        .append(" client=").append(e.client());
    if (e.app() != null) {
      sb.append(" app=").append(e.app());
    }
    sb.append('\n');
  }

  // used by the writer thread only
  private long cachedSecond = Long.MIN_VALUE;
  private String cachedPrefix;

  /** ISO-8601 UTC with milliseconds; the part up to the second changes once a second. */
  private void timestamp(long epochMillis, StringBuilder sb) {
    long second = Math.floorDiv(epochMillis, 1000);
    if (second != cachedSecond) {
      String full = Instant.ofEpochSecond(second).toString();
      cachedPrefix = full.substring(0, full.length() - 1);
      cachedSecond = second;
    }
    sb.append(cachedPrefix).append('.');
    pad(Math.floorMod(epochMillis, 1000), 3, sb);
    sb.append('Z');
  }

  private static void pad(long value, int digits, StringBuilder sb) {
    String v = Long.toString(value);
    for (int i = v.length(); i < digits; i++) {
      sb.append('0');
    }
    sb.append(v);
  }

  /** Keeps one entry on one line whatever the client sent. */
  private static void escape(String s, StringBuilder sb) {
    if (s == null) {
      return;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        sb.append('\\').append(c);
      } else if (c < 0x20 || c == 0x7f) {
        sb.append(String.format("\\x%02x", (int) c));
      } else {
        sb.append(c);
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
