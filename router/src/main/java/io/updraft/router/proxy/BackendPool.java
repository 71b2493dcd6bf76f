package io.updraft.router.proxy;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.updraft.router.registry.Backend;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * Keep-alive connections to backends for one event loop (confined to it: no locks). An
 * exchange takes an idle connection to its backend, or opens one on the same loop as its
 * client; a connection goes back when its exchange ends cleanly, and is closed after
 * {@code keepAliveMs} unused (under the 5 s many app servers use, so the router does not reuse
 * a connection the backend is closing) or when more than {@code maxIdlePerBackend} wait.
 */
final class BackendPool {

  /** What a connection attempt reports. */
  interface ConnectListener {
    void connected(BackendConnection connection);

    void connectFailed(Backend backend, Throwable cause);
  }

  private final Bootstrap bootstrap;
  private final long keepAliveNanos;
  private final int maxIdlePerBackend;
  private final Map<String, ArrayDeque<BackendConnection>> idle = new HashMap<>();

  BackendPool(EventLoop loop, Class<? extends SocketChannel> channelType, int connectTimeoutMs,
      long keepAliveMs, int maxIdlePerBackend) {
    this.bootstrap = new Bootstrap().group(loop).channel(channelType)
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeoutMs);
    this.keepAliveNanos = keepAliveMs * 1_000_000L;
    this.maxIdlePerBackend = maxIdlePerBackend;
  }

  /**
   * An idle connection to {@code backend}, given to {@code listener} at once, or a new one,
   * given when connected (or the failure).
   */
  void acquire(Backend backend, ConnectListener listener, long nowNanos) {
    ArrayDeque<BackendConnection> waiting = idle.get(backend.address());
    if (waiting != null) {
      BackendConnection c;
      while ((c = waiting.pollLast()) != null) {
        c.idle = false;
        if (!c.reusable || !c.channel.isActive()) {
          continue;
        }
        if (nowNanos - c.idleSinceNanos > keepAliveNanos) {
          // the backend may be closing it right now: do not race it
          c.close();
          continue;
        }
        listener.connected(c);
        return;
      }
    }
    BackendConnection connection = new BackendConnection(backend, this);
    ChannelFuture connecting = bootstrap.clone().handler(connection)
        .connect(new InetSocketAddress(backend.host(), backend.port()));
    connecting.addListener(f -> {
      if (f.isSuccess()) {
        listener.connected(connection);
      } else {
        listener.connectFailed(backend, f.cause());
      }
    });
  }

  /** Puts a connection whose exchange ended cleanly back for the next request. */
  void release(BackendConnection c, long nowNanos) {
    c.listener = null;
    if (!c.reusable || !c.channel.isActive()) {
      c.close();
      return;
    }
    ArrayDeque<BackendConnection> waiting =
        idle.computeIfAbsent(c.backend.address(), k -> new ArrayDeque<>());
    if (waiting.size() >= maxIdlePerBackend) {
      c.close();
      return;
    }
    c.idle = true;
    c.idleSinceNanos = nowNanos;
    waiting.addLast(c);
  }

  /** A connection closed: it is no longer handed out. */
  void closed(BackendConnection c) {
    if (!c.idle) {
      return;
    }
    c.idle = false;
    ArrayDeque<BackendConnection> waiting = idle.get(c.backend.address());
    if (waiting != null) {
      waiting.remove(c);
      if (waiting.isEmpty()) {
        idle.remove(c.backend.address());
      }
    }
  }

  /** Closes connections idle for longer than the keep-alive time. */
  void closeStale(long nowNanos) {
    for (Iterator<ArrayDeque<BackendConnection>> it = idle.values().iterator(); it.hasNext(); ) {
      ArrayDeque<BackendConnection> waiting = it.next();
      // oldest first: stop at the first one still fresh
      BackendConnection c;
      while ((c = waiting.peekFirst()) != null && nowNanos - c.idleSinceNanos > keepAliveNanos) {
        waiting.pollFirst();
        c.idle = false;
        c.close();
      }
      if (waiting.isEmpty()) {
        it.remove();
      }
    }
  }

  /** Closes every idle connection (shutdown). */
  void closeAll() {
    for (ArrayDeque<BackendConnection> waiting : idle.values()) {
      for (BackendConnection c : waiting) {
        c.idle = false;
        c.close();
      }
    }
    idle.clear();
  }
}
