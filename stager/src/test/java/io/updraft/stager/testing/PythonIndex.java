package io.updraft.stager.testing;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import java.util.concurrent.TimeUnit;

/**
 * A one-package Python index (PEP 503 "simple" layout), on loopback unless told otherwise
 * (pip treats loopback as a secure origin; plain http elsewhere needs PIP_TRUSTED_HOST):
 * {@code updraft-hello==1.0}, a pure-Python wheel whose module {@code updraft_hello} holds
 * {@code GREETING}. Shows the pip path without the internet.
 */
public final class PythonIndex implements AutoCloseable {

  public static final String REQUIREMENT = "updraft-hello==1.0";
  public static final String GREETING = "greetings from an installed package";
  private static final String WHEEL = "updraft_hello-1.0-py3-none-any.whl";

  private final HttpServer server;
  private final String host;

  public PythonIndex(Vertx vertx) throws Exception {
    this(vertx, "127.0.0.1");
  }

  /** Listening on {@code host} (a LAN address: build containers cannot reach loopback). */
  public PythonIndex(Vertx vertx, String host) throws Exception {
    this.host = host;
    byte[] wheel = Zips.builder()
        .file("updraft_hello/__init__.py", "GREETING = \"" + GREETING + "\"\n")
        .file("updraft_hello-1.0.dist-info/METADATA",
            "Metadata-Version: 2.1\nName: updraft-hello\nVersion: 1.0\n")
        .file("updraft_hello-1.0.dist-info/WHEEL", "Wheel-Version: 1.0\nGenerator: updraft-test\n"
            + "Root-Is-Purelib: true\nTag: py3-none-any\n")
        .file("updraft_hello-1.0.dist-info/RECORD", "updraft_hello/__init__.py,,\n"
            + "updraft_hello-1.0.dist-info/METADATA,,\nupdraft_hello-1.0.dist-info/WHEEL,,\n"
            + "updraft_hello-1.0.dist-info/RECORD,,\n")
        .bytes();
    server = vertx.createHttpServer().requestHandler(req -> {
      String path = req.path();
      if (path.equals("/simple/updraft-hello/")) {
        req.response().putHeader("Content-Type", "text/html")
            .end("<html><body><a href=\"/files/" + WHEEL + "\">" + WHEEL + "</a></body></html>");
      } else if (path.equals("/files/" + WHEEL)) {
        req.response().putHeader("Content-Type", "application/octet-stream")
            .end(Buffer.buffer(wheel));
      } else if (path.equals("/simple/")) {
        req.response().putHeader("Content-Type", "text/html")
            .end("<a href=\"/simple/updraft-hello/\">updraft-hello</a>");
      } else {
        req.response().setStatusCode(404).end();
      }
    }).listen(0, host).toCompletionStage().toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
  }

  public int port() {
    return server.actualPort();
  }

  public String url() {
    return "http://" + host + ":" + server.actualPort() + "/simple/";
  }

  @Override
  public void close() throws Exception {
    server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
