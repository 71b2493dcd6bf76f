package io.updraft.stager.testing;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import java.util.concurrent.TimeUnit;

/**
 * A one-package Python index (PEP 503 "simple" layout) on loopback, which pip treats as a
 * secure origin: {@code updraft-hello==1.0}, a pure-Python wheel whose module
 * {@code updraft_hello} holds {@code GREETING}. Shows the pip path without the internet.
 */
public final class PythonIndex implements AutoCloseable {

  public static final String REQUIREMENT = "updraft-hello==1.0";
  public static final String GREETING = "greetings from an installed package";
  private static final String WHEEL = "updraft_hello-1.0-py3-none-any.whl";

  private final HttpServer server;

  public PythonIndex(Vertx vertx) throws Exception {
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
    }).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
  }

  public String url() {
    return "http://127.0.0.1:" + server.actualPort() + "/simple/";
  }

  @Override
  public void close() throws Exception {
    server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
