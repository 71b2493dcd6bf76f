package io.updraft.router.proxy;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import io.updraft.router.RouterConfig;
import io.updraft.router.metrics.AccessLog;
import io.updraft.router.metrics.RouterMetrics;
import io.updraft.router.registry.RouteTable;
import java.net.InetSocketAddress;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The proxy: a handler per connection on the router port, reading HTTP/1.x itself, on
 * {@code event_loops} event loops of its own (epoll where the platform has it). A client
 * connection and the backend connections its requests use share one loop, so a request never
 * changes threads and nothing on the way is locked. Vert.x runs the rest of the router (NATS,
 * status server); this path does without its HTTP layer and without Netty's HTTP codec: both
 * build header objects and encode them again, which cost more CPU than the proxying itself,
 * where the router needs only a few headers and forwards the rest as they came.
 */
public final class ProxyServer {

  final RouteTable routes;
  final RouterMetrics metrics;
  final AccessLog accessLog;
  final long backendTimeoutMs;
  private final RouterConfig config;
  private final Map<EventExecutor, ProxyLoop> loops = new IdentityHashMap<>();
  private EventLoopGroup group;
  private Channel listener;

  public ProxyServer(RouterConfig config, RouteTable routes, RouterMetrics metrics,
      AccessLog accessLog) {
    this.config = config;
    this.routes = routes;
    this.metrics = metrics;
    this.accessLog = accessLog;
    this.backendTimeoutMs = config.backendTimeoutMs();
  }

  /** Binds the router port; blocks until listening. Returns the port (useful when 0). */
  public int start() throws InterruptedException {
    boolean epoll = Epoll.isAvailable();
    IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    Class<? extends SocketChannel> socketType =
        epoll ? EpollSocketChannel.class : NioSocketChannel.class;
    Class<? extends ServerSocketChannel> serverType =
        epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    group = new MultiThreadIoEventLoopGroup(config.eventLoops(),
        new DefaultThreadFactory("router-proxy"), io);
    for (EventExecutor executor : group) {
      ProxyLoop loop = new ProxyLoop((EventLoop) executor, socketType, config, accessLog);
      loops.put(executor, loop);
      loop.start(backendTimeoutMs);
    }
    ServerBootstrap bootstrap = new ServerBootstrap().group(group).channel(serverType)
        .option(ChannelOption.SO_BACKLOG, 1024)
        .option(ChannelOption.SO_REUSEADDR, true)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childHandler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            ch.pipeline().addLast("proxy", new ClientConnection(ProxyServer.this,
                loops.get(ch.eventLoop())));
          }
        });
    listener = bootstrap.bind(config.host(), config.port()).sync().channel();
    return ((InetSocketAddress) listener.localAddress()).getPort();
  }

  /** Stops listening, closes every connection and the event loops; blocks until done. */
  public void stop() {
    if (listener != null) {
      listener.close().syncUninterruptibly();
    }
    loops.values().forEach(ProxyLoop::stop);
    if (group != null) {
      group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }
}
