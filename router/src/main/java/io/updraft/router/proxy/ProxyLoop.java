package io.updraft.router.proxy;

import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.updraft.router.RouterConfig;
import io.updraft.router.metrics.AccessLog;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * What one proxy event loop owns, confined to it (no locks): its backend connections, the
 * answers its exchanges wait for, and its client connections for the idle check.
 */
final class ProxyLoop {

  /**
   * How long an idle backend connection is kept: under the 5 s many app servers use (Node.js),
   * so the router does not reuse a connection the backend is closing.
   */
  static final long BACKEND_KEEPALIVE_MS = 4_000;
  /** Longest request or status line, as Vert.x's and nginx's defaults. */
  static final int MAX_LINE = 4096;
  private static final long ACCESS_LOG_FLUSH_MS = 200;

  final EventLoop loop;
  final BackendPool backends;
  final AnswerDeadlines deadlines;
  /** Parsers of this loop's request and answer heads (a head is handled in one go). */
  final HttpHead requestHead;
  final HttpHead responseHead;
  /** This loop's access-log lines, handed to the writer in batches. */
  final AccessLog.Local accessLog;
  private final Set<ClientConnection> clients = new HashSet<>();
  private final long clientIdleSeconds;
  private final List<ScheduledFuture<?>> tasks = new ArrayList<>();
  /** Whole seconds since start, advanced by the idle check: a clock that costs nothing to read. */
  long second;

  ProxyLoop(EventLoop loop, Class<? extends SocketChannel> channelType, RouterConfig config,
      AccessLog accessLog) {
    this.loop = loop;
    this.backends = new BackendPool(loop, channelType, config.connectTimeoutMs(),
        BACKEND_KEEPALIVE_MS, config.maxConnectionsPerBackend());
    this.requestHead = new HttpHead(MAX_LINE, config.maxHeaderSize());
    this.responseHead = new HttpHead(MAX_LINE, config.maxHeaderSize());
    this.deadlines = new AnswerDeadlines(config.backendTimeoutMs());
    this.clientIdleSeconds = config.clientIdleTimeoutSeconds();
    this.accessLog = accessLog.local();
  }

  void start(long backendTimeoutMs) {
    long check = AnswerDeadlines.checkIntervalMs(backendTimeoutMs);
    tasks.add(loop.scheduleAtFixedRate(() -> deadlines.expire(System.nanoTime()), check, check,
        TimeUnit.MILLISECONDS));
    tasks.add(loop.scheduleAtFixedRate(this::everySecond, 1, 1, TimeUnit.SECONDS));
    // lines of a quiet moment reach the file within this
    tasks.add(loop.scheduleAtFixedRate(accessLog::flush, ACCESS_LOG_FLUSH_MS, ACCESS_LOG_FLUSH_MS,
        TimeUnit.MILLISECONDS));
  }

  void stop() {
    tasks.forEach(t -> t.cancel(false));
    loop.execute(() -> {
      backends.closeAll();
      accessLog.flush();
    });
  }

  void opened(ClientConnection c) {
    clients.add(c);
  }

  void closed(ClientConnection c) {
    clients.remove(c);
  }

  private void everySecond() {
    second++;
    backends.closeStale(System.nanoTime());
    if (clientIdleSeconds <= 0) {
      return;
    }
    List<ClientConnection> idle = null;
    for (ClientConnection c : clients) {
      if (second - c.lastActiveSecond >= clientIdleSeconds) {
        if (idle == null) {
          idle = new ArrayList<>();
        }
        idle.add(c);
      }
    }
    if (idle != null) {
      idle.forEach(ClientConnection::closeIdle);
    }
  }
}
