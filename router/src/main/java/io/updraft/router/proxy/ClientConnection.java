package io.updraft.router.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.util.ReferenceCountUtil;
import io.updraft.router.metrics.AccessLog;
import io.updraft.router.registry.Backend;
import io.updraft.router.registry.RoutePool;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection, the last handler of its pipeline (after the HTTP server codec). Each
 * request becomes an {@link Exchange}: find the route, pick a backend (sticky session, else
 * round robin), take a connection to it on this event loop (one retry on another backend if
 * connecting fails), stream the body both ways with back-pressure, and answer 400/404/502/504
 * itself when it has to. Requests a client pipelines wait their turn. After a 101 the
 * connection becomes a byte tunnel to the backend. Never blocks.
 */
final class ClientConnection extends ChannelInboundHandlerAdapter
    implements BackendConnection.Listener {

  private static final Logger log = LoggerFactory.getLogger(ClientConnection.class);
  /** nginx's code for "client closed the connection before the response was complete". */
  static final int CLIENT_CLOSED = 499;
  /**
   * How long a backend that refused a connection is passed over (still used when it is the
   * last one): long enough to spare clients a dead instance's connect timeouts, short enough
   * that a restarted one soon gets traffic again; its DEA unregisters it if it is really gone.
   */
  private static final long FAILED_BACKEND_COOLDOWN_MS = 5_000;
  /** Pipelined messages held while an answer is under way, before reading pauses. */
  private static final int MAX_QUEUED = 64;

  private final ProxyServer server;
  private final ProxyLoop loop;
  private ChannelHandlerContext ctx;
  private String clientAddress;
  private Exchange current;
  private ArrayDeque<Object> queued;
  /** The next LastHttpContent ends a request without a body: it carries nothing to forward. */
  private boolean swallowLast;
  /** No more exchanges: the connection closes once its last answer is written. */
  private boolean closing;
  /** After a 101: the backend connection bytes go to and come from. */
  private BackendConnection tunnel;
  private boolean clientNeedsFlush;
  long lastActiveSecond;

  ClientConnection(ProxyServer server, ProxyLoop loop) {
    this.server = server;
    this.loop = loop;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    loop.opened(this);
    lastActiveSecond = loop.second;
    SocketAddress remote = ctx.channel().remoteAddress();
    clientAddress = remote instanceof InetSocketAddress inet && inet.getAddress() != null
        ? inet.getAddress().getHostAddress() : null;
    ctx.fireChannelActive();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    loop.closed(this);
    closing = true;
    if (tunnel != null) {
      closeAfterFlush(tunnel.channel);
    } else if (current != null) {
      current.clientGone();
    }
    if (queued != null) {
      queued.forEach(ReferenceCountUtil::release);
      queued.clear();
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.atDebug().setMessage("router.client.failed")
        .addKeyValue("error", cause.getClass().getSimpleName() + ": " + cause.getMessage())
        .log();
    ctx.close();
  }

  /** The idle check found nothing read for the client idle timeout. */
  void closeIdle() {
    ctx.close();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    lastActiveSecond = loop.second;
    if (tunnel != null) {
      if (msg instanceof ByteBuf bytes) {
        tunnel.writeRaw(bytes);
        if (!tunnel.channel.isWritable()) {
          ctx.channel().config().setAutoRead(false);
        }
      } else {
        ReferenceCountUtil.release(msg);
      }
      return;
    }
    if (closing) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (queued != null && !queued.isEmpty() || current != null && current.requestEnded) {
      // a pipelined request (or the end of the one being answered): its turn comes later
      if (queued == null) {
        queued = new ArrayDeque<>();
      }
      queued.add(msg);
      updateRead();
      return;
    }
    dispatch(msg);
  }

  private void dispatch(Object msg) {
    if (msg instanceof HttpRequest request) {
      begin(request);
      if (msg instanceof HttpContent) {
        // only the decoder's stand-in for a malformed request is whole
        ReferenceCountUtil.release(msg);
      }
    } else if (msg instanceof LastHttpContent && swallowLast) {
      swallowLast = false;
      ReferenceCountUtil.release(msg);
    } else if (msg instanceof HttpContent content && current != null) {
      current.requestContent(content);
    } else {
      ReferenceCountUtil.release(msg);
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (tunnel != null) {
      tunnel.channel.flush();
    } else if (current != null) {
      current.flushBackend();
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (!ctx.channel().isWritable()) {
      return;
    }
    if (tunnel != null) {
      tunnel.channel.config().setAutoRead(true);
    } else if (current != null && current.conn != null) {
      current.conn.channel.config().setAutoRead(true);
    }
  }

  /** Reads from the client only while there is somewhere for what it sends to go. */
  private void updateRead() {
    Exchange ex = current;
    boolean read = !closing && (queued == null || queued.size() < MAX_QUEUED)
        && (ex == null || ex.requestEnded || ex.conn != null && ex.conn.channel.isWritable());
    ctx.channel().config().setAutoRead(read);
  }

  /** Runs what waited while the previous exchange was answered. */
  private void runQueued() {
    while (!closing && queued != null && !queued.isEmpty()
        && (current == null || !current.requestEnded)) {
      dispatch(queued.poll());
    }
    updateRead();
  }

  private void begin(HttpRequest request) {
    Exchange ex = new Exchange(request);
    current = ex;
    DecoderResult decoded = request.decoderResult();
    if (decoded.isFailure()) {
      server.metrics.badRequest();
      Throwable cause = decoded.cause();
      int status = cause instanceof TooLongHttpLineException ? 414
          : cause instanceof TooLongHttpHeaderException ? 431 : 400;
      ex.keepAlive = false;
      ex.error(status, ErrorPages.badRequest(cause instanceof TooLongFrameException
          ? "the request line or headers are too long" : "the request is malformed"));
      return;
    }
    HttpHeaders h = request.headers();
    ex.hasBody = ForwardHeaders.hasBody(h);
    ex.requestEnded = !ex.hasBody;
    swallowLast = !ex.hasBody;
    if (request.protocolVersion().majorVersion() != 1) {
      server.metrics.badRequest();
      ex.keepAlive = false;
      ex.error(400, ErrorPages.badRequest("only HTTP/1.0 and HTTP/1.1 are spoken here"));
      return;
    }
    String uri = request.uri();
    if (!ForwardHeaders.isVisible(uri)) {
      server.metrics.badRequest();
      ex.keepAlive = false;
      ex.error(400, ErrorPages.badRequest("the request target has control characters"));
      return;
    }
    String authority = ForwardHeaders.absoluteAuthority(uri);
    String host = ForwardHeaders.routingHost(authority != null ? authority
        : h.get(HttpHeaderNames.HOST));
    if (host == null) {
      server.metrics.badRequest();
      ex.error(400, ErrorPages.badRequest("the request has no Host header"));
      return;
    }
    ex.host = host;
    String target = ForwardHeaders.originForm(uri);
    ex.path = ForwardHeaders.path(target);
    RoutePool pool = server.routes.lookup(host, ex.path);
    if (pool == null) {
      ex.error(404, ErrorPages.notFound(host));
      return;
    }
    ex.pool = pool;
    Backend backend = pool.byPrivateId(ForwardHeaders.stickyToken(h));
    if (backend == null) {
      backend = pool.next(ex.startMillis);
    }
    if (backend == null) {
      ex.error(502, ErrorPages.noBackend(host));
      return;
    }
    ex.upgrade = ForwardHeaders.isUpgrade(h);
    String upgradeTo = ex.upgrade ? h.get(HttpHeaderNames.UPGRADE) : null;
    boolean lengthKnown = h.contains(HttpHeaderNames.CONTENT_LENGTH);
    if (ex.hasBody && HttpUtil.is100ContinueExpected(request)) {
      ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
          HttpResponseStatus.CONTINUE, Unpooled.EMPTY_BUFFER), ctx.voidPromise());
    }
    // the client's request becomes the backend's: same object, headers rewritten in place
    ForwardHeaders.request(h, clientAddress, false, ex.requestId, ex.startMillis);
    if (ex.hasBody && !lengthKnown) {
      h.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
    }
    if (ex.upgrade) {
      h.set(HttpHeaderNames.UPGRADE, upgradeTo);
      h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
    }
    request.setUri(target);
    request.setProtocolVersion(HttpVersion.HTTP_1_1);
    ex.connect(backend, true);
    if (current == ex) {
      updateRead();
    }
  }

  // --- tunnel mode: the backend side (the client side is in channelRead and friends) -------

  @Override
  public void fromBackend(BackendConnection connection, Object message) {
    lastActiveSecond = loop.second;
    if (message instanceof ByteBuf bytes) {
      ctx.write(bytes, ctx.voidPromise());
      clientNeedsFlush = true;
      if (!ctx.channel().isWritable()) {
        connection.channel.config().setAutoRead(false);
      }
    } else {
      ReferenceCountUtil.release(message);
    }
  }

  @Override
  public void backendReadComplete() {
    if (clientNeedsFlush) {
      clientNeedsFlush = false;
      ctx.flush();
    }
  }

  @Override
  public void backendWritabilityChanged() {
    if (tunnel != null && tunnel.channel.isWritable()) {
      ctx.channel().config().setAutoRead(true);
    }
  }

  @Override
  public void backendClosed(BackendConnection connection) {
    closeAfterFlush(ctx.channel());
  }

  private static void closeAfterFlush(Channel channel) {
    channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
  }

  /** One request's way through the router. */
  private final class Exchange implements BackendPool.ConnectListener,
      BackendConnection.Listener, Runnable {

    final HttpRequest request;
    final HttpVersion version;
    final HttpMethod method;
    final long startNanos = System.nanoTime();
    final long startMillis = System.currentTimeMillis();
    final String requestId = ForwardHeaders.newRequestId();
    boolean keepAlive;
    String host = "-";
    String path = "-";
    RoutePool pool;
    Backend backend;
    BackendConnection conn;
    /** Body parts read before a backend connection was there to take them. */
    ArrayDeque<HttpContent> held;
    boolean hasBody;
    boolean upgrade;
    /** Whether this is the first backend tried (one retry per request). */
    boolean mayRetry;
    boolean requestEnded;
    /** The whole request went to the backend: its answer is awaited. */
    boolean requestSent;
    boolean backendNeedsFlush;
    boolean skipInterim;
    boolean responded;
    boolean finished;
    AnswerDeadlines.Waiting waiting;
    int status;
    long bytesIn;
    long bytesOut;

    Exchange(HttpRequest request) {
      this.request = request;
      this.version = request.protocolVersion();
      this.method = request.method();
      this.keepAlive = HttpUtil.isKeepAlive(request);
    }

    void connect(Backend target, boolean retryAllowed) {
      backend = target;
      mayRetry = retryAllowed;
      loop.backends.acquire(target, this, System.nanoTime());
    }

    @Override
    public void connected(BackendConnection c) {
      if (finished) {
        // the client left while the router was connecting: nothing was sent on it
        loop.backends.release(c, System.nanoTime());
        return;
      }
      conn = c;
      c.listener = this;
      Channel ch = c.channel;
      ch.write(request, ch.voidPromise());
      if (!hasBody) {
        ch.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT, ch.voidPromise());
        sent();
      } else {
        boolean last = false;
        if (held != null) {
          HttpContent part;
          while ((part = held.poll()) != null) {
            last = part instanceof LastHttpContent;
            ch.write(part, ch.voidPromise());
          }
        }
        ch.flush();
        if (last) {
          sent();
        }
      }
      updateRead();
    }

    @Override
    public void connectFailed(Backend failed, Throwable cause) {
      if (finished) {
        return;
      }
      server.metrics.connectFailure();
      failed.markFailed(System.currentTimeMillis() + FAILED_BACKEND_COOLDOWN_MS);
      log.atDebug().setMessage("router.backend.connect-failed")
          .addKeyValue("backend", failed.address())
          .addKeyValue("error", String.valueOf(cause.getMessage())).log();
      Backend other = mayRetry ? pool.nextExcept(failed, startMillis) : null;
      if (other != null) {
        server.metrics.retry();
        connect(other, false);
      } else {
        error(502, ErrorPages.noBackend(host));
      }
    }

    void requestContent(HttpContent content) {
      bytesIn += content.content().readableBytes();
      boolean last = content instanceof LastHttpContent;
      if (last) {
        requestEnded = true;
      }
      if (finished) {
        content.release();
      } else if (conn != null) {
        conn.channel.write(content, conn.channel.voidPromise());
        backendNeedsFlush = true;
        if (last) {
          flushBackend();
          sent();
        } else if (!conn.channel.isWritable()) {
          updateRead();
        }
      } else {
        if (held == null) {
          held = new ArrayDeque<>();
        }
        held.add(content);
      }
    }

    void flushBackend() {
      if (backendNeedsFlush && conn != null) {
        backendNeedsFlush = false;
        conn.channel.flush();
      }
    }

    /** The whole request is with the backend: it has the backend timeout to answer. */
    private void sent() {
      requestSent = true;
      if (!responded && waiting == null) {
        waiting = loop.deadlines.add(System.nanoTime(), this);
      }
    }

    /** The backend timeout passed without an answer. */
    @Override
    public void run() {
      waiting = null;
      if (finished || responded) {
        return;
      }
      server.metrics.timeout();
      log.atDebug().setMessage("router.backend.failed").addKeyValue("backend", backend.address())
          .addKeyValue("error", "no answer within the backend timeout").log();
      // the connection may still get the late answer: never reuse it
      error(504, ErrorPages.timeout(host, server.backendTimeoutMs));
    }

    private void stopWaiting() {
      if (waiting != null) {
        loop.deadlines.remove(waiting);
        waiting = null;
      }
    }

    @Override
    public void fromBackend(BackendConnection c, Object message) {
      if (message instanceof HttpResponse response) {
        int code = response.status().code();
        if (code < 200 && code != 101) {
          // an interim answer (100 Continue, 103): the router answered Expect itself
          skipInterim = true;
        } else if (code == 101 && upgrade) {
          switchProtocols(c, response);
        } else {
          respond(response);
        }
        if (message instanceof HttpContent) {
          ReferenceCountUtil.release(message);
        }
        return;
      }
      if (!(message instanceof HttpContent content)) {
        ReferenceCountUtil.release(message);
        return;
      }
      boolean last = content instanceof LastHttpContent;
      if (skipInterim) {
        skipInterim = !last;
        content.release();
        return;
      }
      if (finished || !responded) {
        content.release();
        return;
      }
      bytesOut += content.content().readableBytes();
      if (last) {
        clientNeedsFlush = false;
        boolean keep = keepAlive && !closing;
        complete(keep ? ctx.writeAndFlush(content, ctx.voidPromise())
            : ctx.writeAndFlush(content), keep);
      } else {
        ctx.write(content, ctx.voidPromise());
        clientNeedsFlush = true;
        if (!ctx.channel().isWritable()) {
          c.channel.config().setAutoRead(false);
        }
      }
    }

    @Override
    public void backendReadComplete() {
      // one flush to the client per read from the backend, as in tunnel mode
      ClientConnection.this.backendReadComplete();
    }

    @Override
    public void backendWritabilityChanged() {
      if (current == this) {
        updateRead();
      }
    }

    private void respond(HttpResponse response) {
      stopWaiting();
      if (finished) {
        dropBackend();
        return;
      }
      responded = true;
      status = response.status().code();
      HttpHeaders h = response.headers();
      if (!HttpUtil.isKeepAlive(response)) {
        // the backend closes after this answer: until its close arrives it would look free
        conn.reusable = false;
      }
      ForwardHeaders.response(h);
      String privateId = backend.privateInstanceId();
      if (privateId != null && ForwardHeaders.setsSessionCookie(h)) {
        h.add(HttpHeaderNames.SET_COOKIE, ForwardHeaders.stickyCookie(privateId));
      }
      if (!h.contains(HttpHeaderNames.CONTENT_LENGTH) && mayHaveBody(status)) {
        if (version == HttpVersion.HTTP_1_0) {
          // an HTTP/1.0 client knows the end of a body without length only by the close
          keepAlive = false;
        } else {
          h.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        }
      }
      if (!requestEnded) {
        // the rest of the body would be read as the next request
        keepAlive = false;
      }
      response.setProtocolVersion(version);
      if (!keepAlive) {
        h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      } else if (version == HttpVersion.HTTP_1_0) {
        h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
      }
      ctx.write(response, ctx.voidPromise());
      clientNeedsFlush = true;
    }

    private boolean mayHaveBody(int code) {
      return method != HttpMethod.HEAD && code >= 200 && code != 204 && code != 304;
    }

    /** The answer is written: the backend connection goes back, the next request may run. */
    private void complete(ChannelFuture lastWrite, boolean keep) {
      BackendConnection c = conn;
      conn = null;
      if (c != null) {
        c.listener = null;
        if (requestEnded && requestSent && c.reusable) {
          loop.backends.release(c, System.nanoTime());
        } else {
          c.close();
        }
      }
      finish(status);
      end(lastWrite, keep);
    }

    /** This exchange is over; the connection goes on with the next one, or closes. */
    private void end(ChannelFuture lastWrite, boolean keep) {
      if (current == this) {
        current = null;
      }
      if (!keep) {
        closing = true;
        lastWrite.addListener(ChannelFutureListener.CLOSE);
        return;
      }
      runQueued();
    }

    @Override
    public void backendClosed(BackendConnection c) {
      if (c != conn) {
        return;
      }
      conn = null;
      if (finished) {
        return;
      }
      if (!responded) {
        stopWaiting();
        log.atDebug().setMessage("router.backend.failed")
            .addKeyValue("backend", backend.address())
            .addKeyValue("error", "closed before answering").log();
        if (mayResend()) {
          // a kept-alive connection the backend had just closed, or an instance stopping while
          // its unregistration was on its way. A request without a body and without side
          // effects goes once more, on another connection, as nginx's proxy_next_upstream does
          server.metrics.retry();
          Backend other = pool.nextExcept(backend, startMillis);
          requestSent = false;
          connect(other != null ? other : backend, false);
        } else {
          error(502, ErrorPages.backendFailed(host));
        }
        return;
      }
      // the backend broke off mid-body: the client must see a broken response, not a short one
      log.atDebug().setMessage("router.backend.stream-broken")
          .addKeyValue("backend", backend.address()).log();
      abortClient();
    }

    private boolean mayResend() {
      return mayRetry && !hasBody && !upgrade
          && (method == HttpMethod.GET || method == HttpMethod.HEAD
              || method == HttpMethod.OPTIONS);
    }

    /** The backend agreed to switch protocols: from now on both connections carry bytes. */
    private void switchProtocols(BackendConnection c, HttpResponse response) {
      stopWaiting();
      conn = null;
      c.reusable = false;
      if (finished) {
        c.close();
        return;
      }
      server.metrics.websocket();
      responded = true;
      status = 101;
      FullHttpResponse switching = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
          HttpResponseStatus.SWITCHING_PROTOCOLS, Unpooled.EMPTY_BUFFER, response.headers(),
          EmptyHttpHeaders.INSTANCE);
      ctx.writeAndFlush(switching, ctx.voidPromise());
      tunnel = c;
      c.listener = ClientConnection.this;
      // bytes either decoder still holds come out as raw buffers when it is removed
      ctx.pipeline().remove(ProxyServer.CODEC);
      c.channel.pipeline().remove(BackendPool.CODEC);
      finish(101);
      current = null;
      if (queued != null) {
        queued.forEach(ReferenceCountUtil::release);
        queued.clear();
      }
      ctx.channel().config().setAutoRead(true);
      c.channel.config().setAutoRead(true);
    }

    void clientGone() {
      if (!finished) {
        dropBackend();
        finish(CLIENT_CLOSED);
      }
    }

    private void dropBackend() {
      stopWaiting();
      BackendConnection c = conn;
      conn = null;
      if (c != null) {
        // a connection whose exchange was broken off may be mid-message: never reuse it
        c.close();
      }
    }

    /** Breaks off the client's response: it must not look complete when it is not. */
    private void abortClient() {
      dropBackend();
      finish(status);
      if (current == this) {
        current = null;
      }
      closing = true;
      ctx.close();
    }

    /** The router's own answer; a response already under way can only be broken off. */
    void error(int code, String body) {
      if (finished) {
        return;
      }
      dropBackend();
      if (responded) {
        abortClient();
        return;
      }
      responded = true;
      status = code;
      ByteBuf content = ByteBufUtil.writeUtf8(ctx.alloc(), body);
      bytesOut = content.readableBytes();
      FullHttpResponse response = new DefaultFullHttpResponse(
          version.majorVersion() == 1 ? version : HttpVersion.HTTP_1_1,
          HttpResponseStatus.valueOf(code), content);
      HttpHeaders h = response.headers();
      h.set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
      h.set(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes());
      h.set("X-Content-Type-Options", "nosniff");
      h.set(ForwardHeaders.REQUEST_ID, requestId);
      // an unread request body is not worth draining
      boolean keep = keepAlive && requestEnded && !closing;
      if (!keep) {
        h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      } else if (version == HttpVersion.HTTP_1_0) {
        h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
      }
      ChannelFuture written = keep ? ctx.writeAndFlush(response, ctx.voidPromise())
          : ctx.writeAndFlush(response);
      finish(code);
      end(written, keep);
    }

    /** Counts the exchange and writes its access-log line, once. */
    private void finish(int code) {
      if (finished) {
        return;
      }
      finished = true;
      stopWaiting();
      if (held != null) {
        held.forEach(ReferenceCountUtil::release);
        held.clear();
      }
      long duration = System.nanoTime() - startNanos;
      server.metrics.request(pool == null ? null : pool.key(), code, duration);
      server.accessLog.add(new AccessLog.Entry(startMillis,
          clientAddress == null ? "-" : clientAddress,
          method == null ? "-" : method.name(), host, path, code, bytesOut, bytesIn, duration,
          backend == null ? null : backend.address(), requestId,
          backend == null ? null : backend.app()));
    }
  }
}
