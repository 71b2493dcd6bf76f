package io.updraft.kato.logs;

import io.updraft.common.bus.Bus;
import io.updraft.common.files.FileTail;
import io.updraft.common.files.LineRateLimit;
import io.updraft.common.protocol.Subjects;
import io.updraft.common.protocol.node.ComponentLogLine;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes the log lines of this node's supervised processes ({@code logs/<process>.log}) on
 * {@code updraft.logs.<node_id>.<process>} as they are written, for {@code kato log tail} on
 * any node. Files are followed from their end at start (their history is on this node's disk),
 * as {@code tail -F} does ({@link FileTail}: truncation and rotation handled), every
 * {@code poll}; at most {@code linesPerSecond} lines per process are published (bursts of a
 * second's worth), the rest counted and reported as one line
 * {@code [kato] dropped N lines (over L lines/s)}.
 *
 * <p>Threading: timers and publishing on the agent's event loop; reading files on a worker, one
 * poll at a time.
 */
public final class ComponentLogPublisher {

  private static final Logger log = LoggerFactory.getLogger(ComponentLogPublisher.class);

  /** Limits of the publisher, from the cluster document's {@code kato} section. */
  public record Limits(Duration poll, int linesPerSecond, int maxBacklogBytes) {
  }

  private final Vertx vertx;
  private final Bus bus;
  private final Path logs;
  private final Supplier<String> nodeId;
  private final Supplier<String> nodeName;
  private final Supplier<List<String>> processes;
  private final Limits limits;
  private final Clock clock;
  private final Map<String, Followed> followed = new HashMap<>();
  private long timer = -1;
  private boolean busy;
  private boolean stopped;

  private static final class Followed {
    final FileTail tail;
    final LineRateLimit rate;
    long dropped;

    Followed(FileTail tail, LineRateLimit rate) {
      this.tail = tail;
      this.rate = rate;
    }
  }

  private record Read(String process, List<String> lines, long skippedBytes) {
  }

  public ComponentLogPublisher(Vertx vertx, Bus bus, Path logs, Supplier<String> nodeId,
      Supplier<String> nodeName, Supplier<List<String>> processes, Limits limits, Clock clock) {
    this.vertx = vertx;
    this.bus = bus;
    this.logs = logs;
    this.nodeId = nodeId;
    this.nodeName = nodeName;
    this.processes = processes;
    this.limits = limits;
    this.clock = clock;
  }

  public void start() {
    timer = vertx.setPeriodic(limits.poll().toMillis(), id -> poll());
  }

  public void stop() {
    stopped = true;
    vertx.cancelTimer(timer);
  }

  private void poll() {
    if (busy || stopped) {
      return;
    }
    busy = true;
    List<String> names = processes.get();
    followed.keySet().retainAll(names);
    for (String name : names) {
      followed.computeIfAbsent(name, n -> new Followed(
          new FileTail(logs.resolve(n + ".log"), true), new LineRateLimit(
              limits.linesPerSecond())));
    }
    Map<String, FileTail> tails = new HashMap<>();
    followed.forEach((n, f) -> tails.put(n, f.tail));
    vertx.executeBlocking(() -> read(tails), false).onComplete(ar -> {
      busy = false;
      if (ar.failed() || stopped) {
        return;
      }
      for (Read r : ar.result()) {
        publish(r);
      }
    });
  }

  /** Blocking: reads what each file got since the last poll. */
  private List<Read> read(Map<String, FileTail> tails) {
    List<Read> out = new ArrayList<>();
    tails.forEach((name, tail) -> {
      try {
        FileTail.Chunk chunk = tail.read(limits.maxBacklogBytes(), false);
        if (!chunk.lines().isEmpty() || chunk.skippedBytes() > 0) {
          out.add(new Read(name, chunk.lines(), chunk.skippedBytes()));
        }
      } catch (IOException e) {
        log.atDebug().setMessage("agent.logs.read.failed").addKeyValue("process", name)
            .addKeyValue("error", e.getMessage()).log();
      }
    });
    return out;
  }

  private void publish(Read r) {
    Followed f = followed.get(r.process());
    if (f == null) {
      return;
    }
    String subject = Subjects.componentLogs(nodeId.get(), r.process());
    long now = clock.millis();
    if (r.skippedBytes() > 0) {
      send(subject, r.process(), "[kato] skipped " + r.skippedBytes()
          + " bytes of log (written faster than they could be read)", now);
    }
    for (String line : r.lines()) {
      if (f.rate.tryTake(now)) {
        if (f.dropped > 0) {
          send(subject, r.process(), "[kato] dropped " + f.dropped + " lines (over "
              + f.rate.perSecond() + " lines/s)", now);
          f.dropped = 0;
        }
        send(subject, r.process(), line, now);
      } else {
        f.dropped++;
      }
    }
  }

  private void send(String subject, String process, String line, long now) {
    bus.publish(subject, new ComponentLogLine(nodeId.get(), nodeName.get(), process, line, now));
  }
}
