package io.updraft.stager.testing;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;

/**
 * A one-package npm registry on loopback: {@code updraft-hello-node@1.0.0}, whose
 * {@code index.js} exports {@code greeting}. Shows the npm install path without the internet.
 */
public final class NpmRegistry implements AutoCloseable {

  public static final String PACKAGE = "updraft-hello-node";
  public static final String GREETING = "greetings from an npm package";

  private final HttpServer server;
  private final String host;

  public NpmRegistry(Vertx vertx) throws Exception {
    this(vertx, "127.0.0.1");
  }

  /** Listening on {@code host} (a LAN address: build containers cannot reach loopback). */
  public NpmRegistry(Vertx vertx, String host) throws Exception {
    this.host = host;
    byte[] tarball = tarball();
    String shasum = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(tarball));
    server = vertx.createHttpServer().requestHandler(req -> {
      String path = req.path();
      if (path.equals("/" + PACKAGE)) {
        String tgzUrl = url() + PACKAGE + "/-/" + PACKAGE + "-1.0.0.tgz";
        req.response().putHeader("Content-Type", "application/json").end(
            "{\"name\":\"" + PACKAGE + "\",\"dist-tags\":{\"latest\":\"1.0.0\"},"
                + "\"versions\":{\"1.0.0\":{\"name\":\"" + PACKAGE + "\",\"version\":\"1.0.0\","
                + "\"main\":\"index.js\",\"dist\":{\"tarball\":\"" + tgzUrl + "\","
                + "\"shasum\":\"" + shasum + "\"}}}}");
      } else if (path.equals("/" + PACKAGE + "/-/" + PACKAGE + "-1.0.0.tgz")) {
        req.response().putHeader("Content-Type", "application/octet-stream")
            .end(Buffer.buffer(tarball));
      } else if (path.equals("/")) {
        req.response().putHeader("Content-Type", "application/json").end("{}");
      } else {
        req.response().setStatusCode(404).end("{}");
      }
    }).listen(0, host).toCompletionStage().toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
  }

  public int port() {
    return server.actualPort();
  }

  public String url() {
    return "http://" + host + ":" + server.actualPort() + "/";
  }

  private static byte[] tarball() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(
        new GzipCompressorOutputStream(bytes))) {
      add(tar, "package/package.json", "{\"name\":\"" + PACKAGE + "\",\"version\":\"1.0.0\","
          + "\"main\":\"index.js\"}");
      add(tar, "package/index.js", "exports.greeting = '" + GREETING + "';\n");
    }
    return bytes.toByteArray();
  }

  private static void add(TarArchiveOutputStream tar, String name, String content)
      throws Exception {
    byte[] data = content.getBytes(StandardCharsets.UTF_8);
    TarArchiveEntry entry = new TarArchiveEntry(name);
    entry.setSize(data.length);
    entry.setMode(0100644);
    tar.putArchiveEntry(entry);
    tar.write(data);
    tar.closeArchiveEntry();
  }

  @Override
  public void close() throws Exception {
    server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
