package io.updraft.dea;

import io.updraft.dea.droplet.Sha1;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** A tiny blobstore for tests: serves registered droplets at {@code /droplets/<name>}. */
final class DropletServer implements AutoCloseable {

  private final Map<String, byte[]> blobs = new ConcurrentHashMap<>();
  final AtomicInteger downloads = new AtomicInteger();
  private final HttpServer server;

  DropletServer(Vertx vertx) throws Exception {
    server = io.updraft.common.testing.Futures.result(vertx.createHttpServer()
        .requestHandler(req -> {
          byte[] blob = blobs.get(req.path());
          if (blob == null) {
            req.response().setStatusCode(404).end();
            return;
          }
          downloads.incrementAndGet();
          req.response().end(Buffer.buffer(blob));
        }).listen(0, "127.0.0.1"));
  }

  /** Serves {@code blob}; returns its URL (with user info, as a controller may send it). */
  String put(String name, byte[] blob) {
    blobs.put("/droplets/" + name, blob);
    return "http://stager:s3cret@127.0.0.1:" + server.actualPort() + "/droplets/" + name;
  }

  static String sha1(byte[] blob) {
    return Sha1.of(blob);
  }

  @Override
  public void close() throws Exception {
    io.updraft.common.testing.Futures.result(server.close());
  }
}
