package io.updraft.dea.logs;

import io.updraft.common.bus.Bus;
import io.updraft.common.files.FileTail;
import io.updraft.common.files.LineRateLimit;
import io.updraft.common.protocol.Subjects;
import io.updraft.common.protocol.logs.AppLogLine;
import io.updraft.common.protocol.logs.LogSource;
import io.updraft.dea.instance.Instance;
import io.updraft.dea.instance.InstanceRegistry;
import io.updraft.dea.instance.InstanceState;
import io.updraft.dea.responders.Responder;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code logs.<app_id>} (Updraft addition): streams each instance's {@code logs/stdout.log} and
 * {@code logs/stderr.log} line by line as {@link AppLogLine}s, in the order written per file.
 *
 * <p>Every {@link Settings#pollMs} the files of the STARTING, RUNNING and STOPPING instances
 * are read on a worker ({@link FileTail}: truncation and rotation handled); the lines are
 * published back on the event loop. An instance that left those states is read for another
 * {@link Settings#drainMs} (its crash notice is appended after the transition), then dropped.
 * Instances already known at {@link #start()} (re-adopted after a DEA restart) are followed
 * from the end of their files, new ones from the start.
 *
 * <p>Flood control: at most {@link Settings#linesPerSecond} lines per instance (bursts of a
 * second's worth); the rest are dropped and reported once the rate allows as
 * {@code [updraft-dea] dropped N lines (over L lines/s)} on the same source. More than
 * {@link Settings#maxBacklogBytes} unread bytes in a file are skipped and reported likewise.
 */
public final class LogStreamer implements Responder {

  private static final Logger log = LoggerFactory.getLogger(LogStreamer.class);
  private static final Set<InstanceState> LIVE =
      Set.of(InstanceState.STARTING, InstanceState.RUNNING, InstanceState.STOPPING);

  /**
   * @param pollMs how often the files are read
   * @param linesPerSecond lines published per instance and second at most
   * @param maxBacklogBytes unread bytes per file beyond which the oldest are skipped
   * @param drainMs how long an instance's files are still read after it stopped or crashed
   */
  public record Settings(long pollMs, int linesPerSecond, int maxBacklogBytes, long drainMs) {
    /** Four reads a second; 100 lines/s per instance; 256 KiB backlog; 3 s after the end. */
    public static final Settings DEFAULTS = new Settings(250, 100, 256 * 1024, 3_000);
  }

  private final Vertx vertx;
  private final Bus bus;
  private final InstanceRegistry registry;
  private final Clock clock;
  private final Settings settings;
  private final Map<String, Tracked> tracked = new LinkedHashMap<>();
  private long timer = -1;
  private boolean started;
  private boolean listening;
  private boolean busy;
  private int polls;

  public LogStreamer(Vertx vertx, Bus bus, InstanceRegistry registry, Clock clock,
      Settings settings) {
    this.vertx = vertx;
    this.bus = bus;
    this.registry = registry;
    this.clock = clock;
    this.settings = settings;
  }

  @Override
  public void start() {
    started = true;
    for (Instance instance : registry.all()) {
      if (LIVE.contains(instance.state())) {
        tracked.putIfAbsent(instance.id(), new Tracked(instance, true, settings));
      }
    }
    if (!listening) {
      listening = true;
      // a new instance is followed from the first byte it writes, before the first poll
      registry.onChange(this::sync);
    }
    timer = vertx.setPeriodic(settings.pollMs(), id -> poll());
  }

  @Override
  public void stop() {
    started = false;
    vertx.cancelTimer(timer);
    tracked.clear();
  }

  /** Instances followed now (tests). */
  int followed() {
    return tracked.size();
  }

  /** Completed polls (tests). */
  int polls() {
    return polls;
  }

  private void sync() {
    if (!started) {
      return;
    }
    long now = clock.millis();
    for (Instance instance : registry.all()) {
      Tracked t = tracked.get(instance.id());
      if (t == null && LIVE.contains(instance.state())) {
        tracked.put(instance.id(), new Tracked(instance, false, settings));
      } else if (t != null && t.goneAtMs < 0 && !LIVE.contains(instance.state())) {
        t.goneAtMs = now;
      }
    }
    for (Tracked t : tracked.values()) {
      if (t.goneAtMs < 0 && registry.get(t.instance.id()).isEmpty()) {
        t.goneAtMs = now;
      }
    }
  }

  /** Reads every followed file on a worker, then publishes on the event loop. */
  void poll() {
    if (!started || busy) {
      return;
    }
    sync();
    long now = clock.millis();
    List<Tracked> batch = List.copyOf(tracked.values());
    if (batch.isEmpty()) {
      return;
    }
    busy = true;
    vertx.executeBlocking(() -> {
      List<Read> reads = new ArrayList<>(batch.size());
      for (Tracked t : batch) {
        boolean last = t.goneAtMs >= 0 && now - t.goneAtMs >= settings.drainMs();
        reads.add(new Read(t, read(t, LogSource.STDOUT, last), read(t, LogSource.STDERR, last),
            last));
      }
      return reads;
    }, false).onComplete(done -> {
      busy = false;
      polls++;
      if (done.failed()) {
        log.atWarn().setMessage("dea.logs.read.failed").addKeyValue("error",
            done.cause().getMessage()).log();
        return;
      }
      if (!started) {
        return;
      }
      for (Read read : done.result()) {
        publish(read.tracked, LogSource.STDOUT, read.stdout);
        publish(read.tracked, LogSource.STDERR, read.stderr);
        if (read.last) {
          tracked.remove(read.tracked.instance.id(), read.tracked);
        }
      }
    });
  }

  /** Blocking. A file that cannot be read yields nothing this time (it is tried again). */
  private FileTail.Chunk read(Tracked t, LogSource source, boolean last) {
    try {
      return t.tails.get(source).read(settings.maxBacklogBytes(), last);
    } catch (IOException e) {
      log.atDebug().setMessage("dea.logs.read.skipped").addKeyValue("instance", t.instance.id())
          .addKeyValue("error", e.getMessage()).log();
      return FileTail.Chunk.EMPTY;
    }
  }

  private void publish(Tracked t, LogSource source, FileTail.Chunk chunk) {
    long now = clock.millis();
    Instance instance = t.instance;
    if (chunk.skippedBytes() > 0) {
      send(instance, source, "[updraft-dea] skipped " + chunk.skippedBytes()
          + " bytes of output (written faster than logs are streamed)", now);
    }
    int[] dropped = t.dropped.get(source);
    if (dropped[0] > 0 && t.limit.tryTake(now)) {
      send(instance, source, marker(dropped[0]), now);
      dropped[0] = 0;
    }
    for (String line : chunk.lines()) {
      if (dropped[0] == 0 && t.limit.tryTake(now)) {
        send(instance, source, line, now);
      } else {
        dropped[0]++;
      }
    }
  }

  private String marker(int count) {
    return "[updraft-dea] dropped " + count + (count == 1 ? " line" : " lines") + " (over "
        + settings.linesPerSecond() + " lines/s)";
  }

  private void send(Instance instance, LogSource source, String line, long now) {
    bus.publish(Subjects.appLogs(instance.droplet()), new AppLogLine(instance.droplet(),
        instance.id(), instance.index(), source, line, now));
  }

  private record Read(Tracked tracked, FileTail.Chunk stdout, FileTail.Chunk stderr,
      boolean last) {
  }

  /** One followed instance: its two files (worker side) and its rate state (event loop). */
  private static final class Tracked {
    final Instance instance;
    final Map<LogSource, FileTail> tails = new EnumMap<>(LogSource.class);
    final Map<LogSource, int[]> dropped = new EnumMap<>(LogSource.class);
    final LineRateLimit limit;
    long goneAtMs = -1;

    Tracked(Instance instance, boolean fromEnd, Settings settings) {
      this.instance = instance;
      // the app owns logs/: a link put there is never followed (the DEA reads as root)
      tails.put(LogSource.STDOUT, new FileTail(instance.dir(), List.of("logs", "stdout.log"),
          fromEnd));
      tails.put(LogSource.STDERR, new FileTail(instance.dir(), List.of("logs", "stderr.log"),
          fromEnd));
      dropped.put(LogSource.STDOUT, new int[1]);
      dropped.put(LogSource.STDERR, new int[1]);
      limit = new LineRateLimit(settings.linesPerSecond());
    }
  }
}
