package io.updraft.stager.testing;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.FileUpload;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The controller's side of staging transfers, for tests: serves packages at
 * {@code GET /staging/app/:id} and takes droplets at {@code POST /staging/droplet/:id/:upload}
 * (multipart field {@code upload[droplet]}), both behind Basic auth, counting each.
 */
public final class BitsServer implements AutoCloseable {

  public static final String USER = "stager";
  public static final String PASSWORD = "s3cret-bits";

  private final HttpServer server;
  private final Map<String, byte[]> packages = new ConcurrentHashMap<>();
  private final Map<String, byte[]> droplets = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> downloads = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> uploads = new ConcurrentHashMap<>();
  private final AtomicInteger uploadsArrived = new AtomicInteger();
  private volatile java.util.concurrent.CompletableFuture<Void> uploadGate =
      java.util.concurrent.CompletableFuture.completedFuture(null);

  public BitsServer(Vertx vertx, Path uploadsDir) throws Exception {
    Router router = Router.router(vertx);
    router.get("/staging/app/:id").handler(this::download);
    router.post("/staging/droplet/:id/:upload")
        .handler(BodyHandler.create(uploadsDir.toString()).setDeleteUploadedFilesOnEnd(true))
        .handler(this::upload);
    server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1")
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  public void addPackage(String appId, byte[] zip) {
    packages.put(appId, zip);
  }

  public byte[] droplet(String appId) {
    return droplets.get(appId);
  }

  public int downloads(String appId) {
    return downloads.getOrDefault(appId, new AtomicInteger()).get();
  }

  /**
   * Droplet uploads that arrive from now on are answered only once the returned future is
   * completed: the stager waits with its task directory in place (a test looks at it).
   */
  public java.util.concurrent.CompletableFuture<Void> holdUploads() {
    uploadGate = new java.util.concurrent.CompletableFuture<>();
    return uploadGate;
  }

  /** Droplet uploads received so far, answered or held. */
  public int uploadsArrived() {
    return uploadsArrived.get();
  }

  public int uploads(String appId) {
    return uploads.getOrDefault(appId, new AtomicInteger()).get();
  }

  public String downloadUri(String appId) {
    return downloadUri(appId, PASSWORD);
  }

  public String downloadUri(String appId, String password) {
    return "http://" + USER + ":" + password + "@127.0.0.1:" + server.actualPort()
        + "/staging/app/" + appId;
  }

  public String uploadUri(String appId) {
    return "http://" + USER + ":" + PASSWORD + "@127.0.0.1:" + server.actualPort()
        + "/staging/droplet/" + appId + "/upload-" + appId;
  }

  private boolean authorized(RoutingContext ctx) {
    String expected = "Basic " + Base64.getEncoder().encodeToString(
        (USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8));
    if (expected.equals(ctx.request().getHeader("Authorization"))) {
      return true;
    }
    ctx.response().setStatusCode(401).putHeader("WWW-Authenticate", "Basic realm=staging")
        .end();
    return false;
  }

  private void download(RoutingContext ctx) {
    if (!authorized(ctx)) {
      return;
    }
    String id = ctx.pathParam("id");
    byte[] zip = packages.get(id);
    if (zip == null) {
      ctx.response().setStatusCode(404).end();
      return;
    }
    downloads.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
    ctx.response().putHeader("Content-Type", "application/zip").end(Buffer.buffer(zip));
  }

  private void upload(RoutingContext ctx) {
    if (!authorized(ctx)) {
      return;
    }
    String id = ctx.pathParam("id");
    FileUpload file = ctx.fileUploads().stream()
        .filter(f -> f.name().equals("upload[droplet]")).findFirst().orElse(null);
    if (file == null) {
      ctx.response().setStatusCode(400).end("no upload[droplet]");
      return;
    }
    uploadsArrived.incrementAndGet();
    io.vertx.core.Future.fromCompletionStage(uploadGate, ctx.vertx().getOrCreateContext())
        .compose(v -> ctx.vertx().fileSystem().readFile(file.uploadedFileName()))
        .onComplete(ar -> {
          if (ar.failed()) {
            ctx.response().setStatusCode(500).end();
            return;
          }
          droplets.put(id, ar.result().getBytes());
          uploads.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
          ctx.response().setStatusCode(200).end("{}");
        });
  }

  @Override
  public void close() throws Exception {
    server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
