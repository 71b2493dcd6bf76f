package io.updraft.router.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.updraft.router.metrics.AccessLog;
import io.updraft.router.registry.Backend;
import io.updraft.router.registry.RoutePool;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection, the only handler of its pipeline: it reads HTTP/1.x itself. Each
 * request head is parsed in place ({@link HttpHead}) and becomes an {@link Exchange}: find the
 * route, pick a backend (sticky session, else round robin), take a connection to it on this
 * event loop (one retry on another backend if connecting fails), send the rewritten head and
 * then the body as it came, stream the answer back the same way, and answer 400/404/502/504
 * itself when it has to. Bodies are never decoded: {@link BodyFraming} only finds where each
 * ends. Requests a client pipelines wait their turn. After a 101 the connection becomes a
 * byte tunnel to the backend. Never blocks.
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
  /** Bytes of pipelined requests held while an answer is under way, before reading pauses. */
  private static final int MAX_PIPELINED_BYTES = 64 * 1024;
  private static final byte[] CONTINUE =
      ForwardHeaders.ascii("HTTP/1.1 100 Continue\r\n\r\n");

  private final ProxyServer server;
  private final ProxyLoop loop;
  private ChannelHandlerContext ctx;
  private String clientAddress;
  private byte[] clientAddressBytes;
  private Exchange current;
  /** What the client sent that is not handled yet: part of a head, or pipelined requests. */
  private ByteBuf pending;
  /** {@link #process} is on the stack: an exchange ending inside it needs no new call. */
  private boolean processing;
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
    if (remote instanceof InetSocketAddress inet && inet.getAddress() != null) {
      clientAddress = inet.getAddress().getHostAddress();
      clientAddressBytes = clientAddress.getBytes(StandardCharsets.US_ASCII);
    }
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
    releasePending();
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
    if (!(msg instanceof ByteBuf in)) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (tunnel != null) {
      tunnel.writeRaw(in);
      if (!tunnel.channel.isWritable()) {
        ctx.channel().config().setAutoRead(false);
      }
      return;
    }
    if (closing) {
      in.release();
      return;
    }
    pending = pending == null ? in : append(pending, in);
    process();
  }

  /** {@code held} followed by {@code more}, in a buffer of this connection's own. */
  private ByteBuf append(ByteBuf held, ByteBuf more) {
    int need = more.readableBytes();
    if (held.refCnt() == 1 && held.writableBytes() >= need && !held.isReadOnly()) {
      // nothing else refers to it (no slices on their way): it can grow in place
      held.writeBytes(more);
      more.release();
      return held;
    }
    ByteBuf joined = ctx.alloc().directBuffer(Math.max(held.readableBytes() + need, 1024));
    joined.writeBytes(held).writeBytes(more);
    held.release();
    more.release();
    return joined;
  }

  private void releasePending() {
    if (pending != null) {
      pending.release();
      pending = null;
    }
  }

  /** Handles what the client sent, as far as the exchange under way allows. */
  private void process() {
    if (processing) {
      return;
    }
    processing = true;
    try {
      while (pending != null && !closing && tunnel == null) {
        if (!pending.isReadable()) {
          releasePending();
          break;
        }
        Exchange ex = current;
        if (ex == null) {
          if (!readHead()) {
            break;
          }
        } else if (!ex.requestEnded) {
          int before = pending.readableBytes();
          ex.readBody(pending);
          if (pending != null && pending.readableBytes() == before) {
            // nothing taken (never expected): wait for the next read rather than spin
            break;
          }
        } else {
          // a pipelined request: its turn comes when this answer is written
          break;
        }
      }
    } finally {
      processing = false;
    }
    if (closing) {
      releasePending();
    } else if (tunnel == null) {
      updateRead();
    }
  }

  /** Parses the next request head and begins its exchange; false while it is incomplete. */
  private boolean readHead() {
    HttpHead head = loop.requestHead;
    int taken;
    try {
      taken = head.parseRequest(pending);
    } catch (HttpHead.Malformed e) {
      server.metrics.badRequest();
      Exchange ex = new Exchange("-", false, false);
      current = ex;
      // what follows cannot be told apart from this request: nothing more is read
      releasePending();
      ex.error(e.status, ErrorPages.badRequest(e.getMessage()));
      return false;
    }
    if (taken == 0) {
      return false;
    }
    pending.skipBytes(taken);
    begin(head);
    return true;
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
    boolean read = !closing && (ex == null
        ? true
        : ex.requestEnded
            ? pending == null || pending.readableBytes() < MAX_PIPELINED_BYTES
            : ex.conn != null && ex.conn.channel.isWritable());
    ctx.channel().config().setAutoRead(read);
  }

  private void begin(HttpHead h) {
    boolean keepAlive = h.http11 ? !h.connectionClose : h.connectionKeepAlive;
    Exchange ex = new Exchange(h.method, !h.http11, keepAlive);
    current = ex;
    if (h.transferEncoding) {
      if (!h.http11 || !h.chunked || h.contentLength >= 0) {
        // RFC 9112 6.1/6.3: the body's end would be uncertain (request smuggling)
        server.metrics.badRequest();
        ex.keepAlive = false;
        ex.error(400, ErrorPages.badRequest(!h.chunked
            ? "the request's transfer coding is not supported"
            : h.http11 ? "the request has both Content-Length and Transfer-Encoding"
                : "an HTTP/1.0 request cannot have Transfer-Encoding"));
        return;
      }
      ex.body = BodyFraming.chunked();
    } else if (h.contentLength > 0) {
      ex.body = BodyFraming.length(h.contentLength);
    }
    ex.hasBody = ex.body != null;
    ex.requestEnded = !ex.hasBody;
    if (h.hostCount > 1) {
      server.metrics.badRequest();
      ex.keepAlive = false;
      ex.error(400, ErrorPages.badRequest("the request has more than one Host header"));
      return;
    }
    if (ex.method.equals("CONNECT")) {
      server.metrics.badRequest();
      ex.keepAlive = false;
      ex.error(400, ErrorPages.badRequest("CONNECT is not served here"));
      return;
    }
    String uri = h.target();
    String authority = h.originFormTarget() ? null : ForwardHeaders.absoluteAuthority(uri);
    String host = ForwardHeaders.routingHost(authority != null ? authority
        : h.hostIndex >= 0 ? h.value(h.hostIndex) : null);
    if (host == null) {
      server.metrics.badRequest();
      ex.error(400, ErrorPages.badRequest("the request has no Host header"));
      return;
    }
    ex.host = host;
    String target = h.originFormTarget() ? uri : ForwardHeaders.originForm(uri);
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
    ex.upgrade = h.upgradeHeader && h.connectionUpgrade;
    if (ex.hasBody && h.expectContinue && h.http11) {
      // the router answers Expect itself (the header is not forwarded)
      ctx.writeAndFlush(Unpooled.wrappedBuffer(CONTINUE), ctx.voidPromise());
    }
    ex.requestHead = ForwardHeaders.request(ctx.alloc(), h, target, clientAddressBytes,
        ex.requestId, ex.startMillis, ex.upgrade, authority);
    ex.connect(backend, true);
  }

  // --- tunnel mode: the backend side (the client side is in channelRead and friends) -------

  @Override
  public void fromBackend(BackendConnection connection, ByteBuf bytes) {
    lastActiveSecond = loop.second;
    ctx.write(bytes, ctx.voidPromise());
    clientNeedsFlush = true;
    if (!ctx.channel().isWritable()) {
      connection.channel.config().setAutoRead(false);
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
      BackendConnection.Listener, BodyFraming.Data, Runnable {

    final String method;
    final boolean http10;
    final long startNanos = System.nanoTime();
    final long startMillis = System.currentTimeMillis();
    final String requestId = ForwardHeaders.newRequestId();
    boolean keepAlive;
    String host = "-";
    String path = "-";
    RoutePool pool;
    Backend backend;
    BackendConnection conn;
    /** The head the backend gets; kept until the answer begins, to send again if needed. */
    ByteBuf requestHead;
    /** Where the request body ends, or null when there is none. */
    BodyFraming body;
    /** Body parts read before a backend connection was there to take them. */
    ArrayDeque<ByteBuf> held;
    boolean hasBody;
    boolean upgrade;
    /** Whether this is the first backend tried (one retry per request). */
    boolean mayRetry;
    boolean requestEnded;
    /** The whole request went to the backend: its answer is awaited. */
    boolean requestSent;
    boolean backendNeedsFlush;
    /** What the backend sent that is not handled yet (part of its answer's head). */
    ByteBuf answer;
    /** Where the answer's body ends, once its head is through. */
    BodyFraming answerBody;
    /** The answer is chunked but the client speaks HTTP/1.0: only its data goes on. */
    boolean dechunk;
    boolean responded;
    boolean finished;
    AnswerDeadlines.Waiting waiting;
    int status;
    long bytesIn;
    long bytesOut;

    Exchange(String method, boolean http10, boolean keepAlive) {
      this.method = method;
      this.http10 = http10;
      this.keepAlive = keepAlive;
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
      ch.write(requestHead.retainedDuplicate(), ch.voidPromise());
      if (held != null) {
        ByteBuf part;
        while ((part = held.poll()) != null) {
          ch.write(part, ch.voidPromise());
        }
      }
      ch.flush();
      if (requestEnded) {
        sent();
      }
      if (current == this) {
        updateRead();
        if (!requestEnded) {
          // body bytes that arrived with the head are in pending, still to be read
          process();
        }
      }
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

    /** Takes the request body's bytes at the front of {@code in}, up to the body's end. */
    void readBody(ByteBuf in) {
      int n;
      try {
        n = body.scan(in, null);
      } catch (HttpHead.Malformed e) {
        server.metrics.badRequest();
        keepAlive = false;
        in.skipBytes(in.readableBytes());
        closing = true;
        error(400, ErrorPages.badRequest(e.getMessage()));
        return;
      }
      bytesIn += n;
      if (body.done()) {
        requestEnded = true;
      }
      if (finished) {
        // answered already (the connection closes after it): the rest goes nowhere
        in.skipBytes(n);
        return;
      }
      ByteBuf part = in.readRetainedSlice(n);
      if (conn != null) {
        conn.channel.write(part, conn.channel.voidPromise());
        backendNeedsFlush = true;
        if (requestEnded) {
          flushBackend();
          sent();
        }
      } else {
        // still connecting: the bytes wait for the connection (reading pauses meanwhile)
        if (held == null) {
          held = new ArrayDeque<>();
        }
        held.add(part);
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
    public void fromBackend(BackendConnection c, ByteBuf bytes) {
      if (finished) {
        bytes.release();
        return;
      }
      // an answer streaming to the client (a download, server-sent events) is activity too
      lastActiveSecond = loop.second;
      answer = answer == null ? bytes : append(answer, bytes);
      while (answer != null && answer.isReadable() && !finished) {
        if (!responded) {
          if (!readAnswerHead(c)) {
            break;
          }
        } else {
          readAnswerBody(c);
        }
      }
      if (answer != null && (finished || !answer.isReadable())) {
        answer.release();
        answer = null;
      }
    }

    /** Handles the answer's head; false while it is incomplete or when the exchange ended. */
    private boolean readAnswerHead(BackendConnection c) {
      HttpHead head = loop.responseHead;
      int taken;
      try {
        taken = head.parseResponse(answer);
      } catch (HttpHead.Malformed e) {
        log.atDebug().setMessage("router.backend.failed").addKeyValue("backend", backend.address())
            .addKeyValue("error", e.getMessage()).log();
        error(502, ErrorPages.badAnswer(host, e.getMessage()));
        return false;
      }
      if (taken == 0) {
        return false;
      }
      int code = head.status;
      if (code < 200 && code != 101) {
        // an interim answer (100 Continue, 103): the router answered Expect itself
        answer.skipBytes(taken);
        return true;
      }
      if (code == 101 && upgrade) {
        switchProtocols(c, taken);
        return false;
      }
      respond(c, head, taken);
      return !finished;
    }

    private void respond(BackendConnection c, HttpHead h, int taken) {
      stopWaiting();
      answer.skipBytes(taken);
      responded = true;
      status = h.status;
      releaseRequestHead();
      if (h.connectionClose || !h.http11 && !h.connectionKeepAlive) {
        // the backend closes after this answer: until its close arrives it would look free
        c.reusable = false;
      }
      if (status == 101 || h.transferEncoding && h.contentLength >= 0) {
        // another protocol follows, or framing a later reader might take the other way
        c.reusable = false;
      }
      boolean bodiless = method.equals("HEAD") || status < 200 || status == 204 || status == 304;
      if (bodiless) {
        answerBody = null;
      } else if (h.transferEncoding) {
        if (h.chunked) {
          answerBody = BodyFraming.chunked();
          // an HTTP/1.0 client cannot take chunks: it gets the data, ended by the close
          dechunk = http10;
        } else {
          answerBody = BodyFraming.toTheClose();
        }
      } else if (h.contentLength >= 0) {
        answerBody = h.contentLength == 0 ? null : BodyFraming.length(h.contentLength);
      } else {
        answerBody = BodyFraming.toTheClose();
      }
      if (answerBody != null && (answerBody.endsAtClose() || dechunk)) {
        // the client knows the end of this body only by the close
        keepAlive = false;
        c.reusable &= !answerBody.endsAtClose();
      }
      if (!requestEnded) {
        // the rest of the body would be read as the next request
        keepAlive = false;
      }
      if (closing) {
        keepAlive = false;
      }
      String privateId = backend.privateInstanceId();
      ByteBuf out = ForwardHeaders.response(ctx.alloc(), h, http10, keepAlive, dechunk,
          privateId != null && h.setsSessionCookie
              ? ForwardHeaders.stickyCookie(privateId) : null);
      if (answerBody == null) {
        if (answer.isReadable()) {
          // more than the answer: the connection is out of step, never reuse it
          c.reusable = false;
        }
        complete(c, out);
      } else {
        ctx.write(out, ctx.voidPromise());
        clientNeedsFlush = true;
      }
    }

    private void readAnswerBody(BackendConnection c) {
      int n;
      try {
        n = answerBody.scan(answer, dechunk ? this : null);
      } catch (HttpHead.Malformed e) {
        log.atDebug().setMessage("router.backend.stream-broken")
            .addKeyValue("backend", backend.address()).addKeyValue("error", e.getMessage()).log();
        abortClient();
        return;
      }
      bytesOut += n;
      if (dechunk) {
        answer.skipBytes(n);
      }
      boolean last = answerBody.done();
      if (last && answer.readableBytes() > n) {
        // more than the answer: the connection is out of step, never reuse it
        c.reusable = false;
      }
      if (last) {
        complete(c, dechunk ? Unpooled.EMPTY_BUFFER : answer.readRetainedSlice(n));
      } else {
        if (!dechunk) {
          ctx.write(answer.readRetainedSlice(n), ctx.voidPromise());
        }
        clientNeedsFlush = true;
        if (!ctx.channel().isWritable()) {
          c.channel.config().setAutoRead(false);
        }
      }
    }

    /** Chunk data for an HTTP/1.0 client. */
    @Override
    public void data(ByteBuf in, int index, int length) {
      if (length > 0) {
        ctx.write(in.retainedSlice(index, length), ctx.voidPromise());
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

    /** The answer's last bytes: written, the backend connection goes back, the next runs. */
    private void complete(BackendConnection c, ByteBuf last) {
      boolean keep = keepAlive && !closing;
      clientNeedsFlush = false;
      ChannelFuture written = keep ? ctx.writeAndFlush(last, ctx.voidPromise())
          : ctx.writeAndFlush(last);
      conn = null;
      c.listener = null;
      if (requestEnded && requestSent && c.reusable) {
        loop.backends.release(c, System.nanoTime());
      } else {
        c.close();
      }
      finish(status);
      end(written, keep);
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
      process();
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
          releaseAnswer();
          Backend other = pool.nextExcept(backend, startMillis);
          requestSent = false;
          connect(other != null ? other : backend, false);
        } else {
          error(502, ErrorPages.backendFailed(host));
        }
        return;
      }
      if (answerBody != null && answerBody.endsAtClose()) {
        // the close is the end of this answer
        complete(c, Unpooled.EMPTY_BUFFER);
        return;
      }
      // the backend broke off mid-body: the client must see a broken response, not a short one
      log.atDebug().setMessage("router.backend.stream-broken")
          .addKeyValue("backend", backend.address()).log();
      abortClient();
    }

    private boolean mayResend() {
      return mayRetry && !hasBody && !upgrade
          && (method.equals("GET") || method.equals("HEAD") || method.equals("OPTIONS"));
    }

    /** The backend agreed to switch protocols: from now on both connections carry bytes. */
    private void switchProtocols(BackendConnection c, int headLength) {
      stopWaiting();
      conn = null;
      c.reusable = false;
      server.metrics.websocket();
      responded = true;
      status = 101;
      // the 101 goes to the client as it came, with what followed it
      ctx.write(answer.readRetainedSlice(headLength), ctx.voidPromise());
      if (answer.isReadable()) {
        ctx.write(answer.readRetainedSlice(answer.readableBytes()), ctx.voidPromise());
      }
      ctx.flush();
      tunnel = c;
      c.listener = ClientConnection.this;
      finish(101);
      current = null;
      if (pending != null && pending.isReadable()) {
        // what the client sent after its request is for the new protocol
        tunnel.writeRaw(pending);
        pending = null;
        tunnel.channel.flush();
      }
      releasePending();
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
    void error(int code, String text) {
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
      // an unread request body is not worth draining
      boolean keep = keepAlive && requestEnded && !closing;
      ByteBuf page = ErrorPages.response(ctx.alloc(), http10, code, text, requestId, keep);
      bytesOut = ErrorPages.bodyLength(text);
      ChannelFuture written = keep ? ctx.writeAndFlush(page, ctx.voidPromise())
          : ctx.writeAndFlush(page);
      finish(code);
      end(written, keep);
    }

    private void releaseRequestHead() {
      if (requestHead != null) {
        requestHead.release();
        requestHead = null;
      }
    }

    private void releaseAnswer() {
      if (answer != null) {
        answer.release();
        answer = null;
      }
    }

    /** Counts the exchange and writes its access-log line, once. */
    private void finish(int code) {
      if (finished) {
        return;
      }
      finished = true;
      stopWaiting();
      releaseRequestHead();
      if (held != null) {
        held.forEach(ReferenceCountUtil::release);
        held.clear();
      }
      long duration = System.nanoTime() - startNanos;
      server.metrics.request(pool == null ? null : pool.key(), code, duration);
      loop.accessLog.add(new AccessLog.Entry(startMillis,
          clientAddress == null ? "-" : clientAddress, method, host, path, code, bytesOut,
          bytesIn, duration, backend == null ? null : backend.address(), requestId,
          backend == null ? null : backend.app()));
    }
  }
}
