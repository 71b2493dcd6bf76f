package io.updraft.router.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.updraft.router.registry.Backend;

/**
 * One connection to a backend, the only handler of its pipeline: it hands the bytes the
 * backend sends to the exchange (or tunnel) it serves, which reads HTTP from them; between
 * exchanges it waits in its event loop's {@link BackendPool}.
 */
final class BackendConnection extends ChannelInboundHandlerAdapter {

  /** What a backend connection reports to the exchange that holds it. */
  interface Listener {
    void fromBackend(BackendConnection connection, ByteBuf bytes);

    void backendReadComplete();

    void backendWritabilityChanged();

    void backendClosed(BackendConnection connection);
  }

  final Backend backend;
  final BackendPool pool;
  Channel channel;
  /** The exchange (or tunnel) it serves, or null while idle. */
  Listener listener;
  /** False once this connection must not serve another request (closing, broken off). */
  boolean reusable = true;
  /** While idle: when it was put back ({@link BackendPool}'s clock). */
  long idleSinceNanos;
  boolean idle;

  BackendConnection(Backend backend, BackendPool pool) {
    this.backend = backend;
    this.pool = pool;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    channel = ctx.channel();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    Listener l = listener;
    if (l == null || !(msg instanceof ByteBuf bytes)) {
      // an idle connection has nothing to say: anything it sends makes it useless
      ReferenceCountUtil.release(msg);
      reusable = false;
      ctx.close();
      return;
    }
    l.fromBackend(this, bytes);
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    Listener l = listener;
    if (l != null) {
      l.backendReadComplete();
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    Listener l = listener;
    if (l != null) {
      l.backendWritabilityChanged();
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    reusable = false;
    pool.closed(this);
    Listener l = listener;
    listener = null;
    if (l != null) {
      l.backendClosed(this);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // reported as a close: the exchange decides what the client sees
    reusable = false;
    ctx.close();
  }

  /** Closes the connection for good (the exchange it served is broken off). */
  void close() {
    reusable = false;
    listener = null;
    channel.close();
  }

  /** Writes raw bytes (tunnel mode). */
  void writeRaw(ByteBuf bytes) {
    channel.write(bytes, channel.voidPromise());
  }
}
