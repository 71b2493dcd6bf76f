package io.updraft.controller.staging;

import io.updraft.common.bus.Bus;
import io.updraft.common.bus.BusTimeoutException;
import io.updraft.common.bus.Subscription;
import io.updraft.common.component.ComponentIdentity;
import io.updraft.common.files.PrivateFiles;
import io.updraft.common.protocol.Subjects;
import io.updraft.common.protocol.logs.AppLogLine;
import io.updraft.common.protocol.logs.LogSource;
import io.updraft.common.protocol.staging.StagingLogLine;
import io.updraft.common.protocol.staging.StagingProperties;
import io.updraft.common.protocol.staging.StagingRequest;
import io.updraft.common.protocol.staging.StagingResult;
import io.updraft.controller.apps.App;
import io.updraft.controller.blobstore.Blobstore;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.ext.web.FileUpload;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns an app's package into a droplet through the stagers (PROTOCOL.md 7): it sends a request
 * to the {@code staging} queue group with single-purpose URLs (credentials valid for this task
 * only) to download the package and upload the droplet, follows the log lines the stager
 * streams, and keeps the last log per app. A stager that dies mid-task is noticed by the
 * timeout and the task is sent once more. Event-loop confined except for file work.
 */
public final class StagingCoordinator {

  private static final Logger log = LoggerFactory.getLogger(StagingCoordinator.class);
  private static final String STAGER_USER = "stager";
  private static final int ATTEMPTS = 2;

  /** One staging attempt's secrets and result. */
  private static final class Task {
    final String id = ComponentIdentity.secureId();
    final String appId;
    final String packageSha1;
    final String downloadSecret = ComponentIdentity.secureId();
    final String uploadId = ComponentIdentity.secureId();
    final String uploadSecret = ComponentIdentity.secureId();
    final Promise<String> droplet = Promise.promise();
    final StringBuilder log = new StringBuilder();

    Task(String appId, String packageSha1) {
      this.appId = appId;
      this.packageSha1 = packageSha1;
    }
  }

  private final Vertx vertx;
  private final Bus bus;
  private final Blobstore blobs;
  private final Path logs;
  private final Path uploads;
  private final Supplier<String> hostPort;
  private final Duration timeout;
  private final Map<String, Task> tasks = new HashMap<>();
  private final Map<String, List<Follower>> followers = new HashMap<>();

  /** Someone watching an app's staging: each line, then the end of that staging. */
  private record Follower(Consumer<String> line, Runnable end) {
  }

  /**
   * @param hostPort the controller's address as stagers reach it
   * @param timeout how long one attempt may take (stager download, build, upload)
   */
  public StagingCoordinator(Vertx vertx, Bus bus, Blobstore blobs, Path dataDir,
      Supplier<String> hostPort, Duration timeout) {
    this.vertx = vertx;
    this.bus = bus;
    this.blobs = blobs;
    this.logs = dataDir.resolve("staging-logs");
    this.uploads = dataDir.resolve("uploads");
    this.hostPort = hostPort;
    this.timeout = timeout;
  }

  /** Stages the app's current package; completes with the droplet's sha1. */
  public Future<String> stage(App app) {
    return attempt(app, 1);
  }

  private Future<String> attempt(App app, int attempt) {
    Task task = new Task(String.valueOf(app.id()), app.packageSha1());
    tasks.put(task.id, task);
    Subscription lines = bus.subscribe(Subjects.stagingLog(task.id), StagingLogLine.class,
        d -> line(task, d.body().line()));
    StagingRequest request = new StagingRequest(task.appId, properties(app),
        url("/staging/app/" + task.appId, task.downloadSecret),
        url("/staging/droplet/" + task.appId + "/" + task.uploadId, task.uploadSecret),
        task.id);
    log.atInfo().setMessage("staging.requested").addKeyValue("app", app.id())
        .addKeyValue("task", task.id).addKeyValue("attempt", attempt).log();
    return bus.request(Subjects.STAGING, request, StagingResult.class, timeout)
        .compose(result -> {
          if (result.taskLog() != null && task.log.length() == 0) {
            task.log.append(result.taskLog());
          }
          if (result.error() != null && !result.error().isBlank()) {
            return Future.failedFuture(new StagingFailedException(
                "Staging failed: '" + result.error() + "'", task.log.toString()));
          }
          // the stager uploads before it replies; a reply without a droplet is a broken stager
          if (!task.droplet.future().isComplete()) {
            task.droplet.tryFail(new StagingFailedException(
                "Staging failed: 'the stager did not upload a droplet'", task.log.toString()));
          }
          return task.droplet.future();
        })
        .eventually(() -> {
          lines.close();
          tasks.remove(task.id);
          List<Follower> watching = followers.remove(task.appId);
          if (watching != null) {
            watching.forEach(f -> f.end().run());
          }
          return saveLog(task);
        })
        .recover(e -> {
          if (e instanceof BusTimeoutException && attempt < ATTEMPTS) {
            log.atWarn().setMessage("staging.retry").addKeyValue("app", app.id())
                .addKeyValue("reason", e.getMessage()).log();
            return attempt(app, attempt + 1);
          }
          if (e instanceof BusTimeoutException) {
            return Future.failedFuture(new StagingFailedException(
                "Timed out waiting for staging to complete", task.log.toString()));
          }
          return Future.failedFuture(e);
        });
  }

  private String url(String path, String secret) {
    return "http://" + STAGER_USER + ":" + secret + "@" + hostPort.get() + path;
  }

  private static StagingProperties properties(App app) {
    Object command = app.command() != null ? app.command() : app.meta().get("command");
    return new StagingProperties(List.of(), app.framework(), null, app.runtime(), null,
        new StagingProperties.Resources(app.memoryMb(), app.diskMb(), app.fds()), app.env(),
        command == null ? Map.of() : Map.of("command", command));
  }

  private void line(Task task, String line) {
    task.log.append(line).append('\n');
    // the app's log stream carries its staging too (issue 10)
    bus.publish(Subjects.appLogs(task.appId), new AppLogLine(task.appId, task.id, null,
        LogSource.STAGING, line, System.currentTimeMillis()));
    List.copyOf(followers.getOrDefault(task.appId, List.of()))
        .forEach(f -> f.line().accept(line));
  }

  /**
   * Calls {@code line} with each log line of the app's current or next staging, then
   * {@code end} when that staging is over. Returns a handle that stops following.
   */
  public Runnable follow(long appId, Consumer<String> line, Runnable end) {
    Follower follower = new Follower(line, end);
    followers.computeIfAbsent(String.valueOf(appId), k -> new java.util.ArrayList<>())
        .add(follower);
    return () -> {
      List<Follower> list = followers.get(String.valueOf(appId));
      if (list != null) {
        list.remove(follower);
      }
    };
  }

  /** The log of the app's last staging, if any. */
  public Future<Optional<String>> lastLog(long appId) {
    Path file = logs.resolve(appId + ".log");
    return vertx.executeBlocking(() -> Files.isRegularFile(file)
        ? Optional.of(Files.readString(file)) : Optional.<String>empty(), false);
  }

  private Future<Void> saveLog(Task task) {
    String text = task.log.toString();
    return vertx.executeBlocking(() -> {
      PrivateFiles.createDirectories(logs);
      Path tmp = Files.createTempFile(logs, "log-", ".tmp"); // 0600, kept by the rename
      Files.writeString(tmp, text, StandardCharsets.UTF_8);
      Files.move(tmp, logs.resolve(task.appId + ".log"),
          java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      return null;
    }, false);
  }

  /** The droplet upload streams to a temp file; mounted before the JSON body handler. */
  public void mountBody(Router router) {
    router.post("/staging/droplet/:id/:upload").handler(BodyHandler.create(uploads.toString())
        .setDeleteUploadedFilesOnEnd(true).setBodyLimit(4L * 1024 * 1024 * 1024));
  }

  public void mount(Router router) {
    router.get("/staging/app/:id").handler(this::download);
    router.post("/staging/droplet/:id/:upload").handler(this::upload);
  }

  private Optional<Task> task(RoutingContext ctx, boolean upload) {
    String secret = BasicAuth.password(ctx, STAGER_USER);
    return tasks.values().stream()
        .filter(t -> t.appId.equals(ctx.pathParam("id")))
        .filter(t -> !upload || t.uploadId.equals(ctx.pathParam("upload")))
        .filter(t -> BasicAuth.matches(secret, upload ? t.uploadSecret : t.downloadSecret))
        .findFirst();
  }

  private void download(RoutingContext ctx) {
    Optional<Task> task = task(ctx, false);
    if (task.isEmpty()) {
      ctx.response().setStatusCode(403).end();
      return;
    }
    Path pkg = blobs.path(Blobstore.Kind.PACKAGES, task.get().packageSha1);
    // a stat is file I/O: not on the event loop
    vertx.executeBlocking(() -> Files.isRegularFile(pkg), false).onSuccess(exists -> {
      if (!exists) {
        ctx.response().setStatusCode(404).end();
        return;
      }
      ctx.response().putHeader("Content-Type", "application/zip").sendFile(pkg.toString())
          .onFailure(e -> log.atWarn().setMessage("staging.package.send-failed")
              .addKeyValue("error", e.getMessage()).log());
    }).onFailure(ctx::fail);
  }

  private void upload(RoutingContext ctx) {
    Optional<Task> task = task(ctx, true);
    if (task.isEmpty() || task.get().droplet.future().isComplete()) {
      ctx.response().setStatusCode(task.isEmpty() ? 403 : 400).end();
      return;
    }
    FileUpload file = ctx.fileUploads().stream()
        .filter(f -> f.name().equals("upload[droplet]")).findFirst().orElse(null);
    if (file == null) {
      ctx.response().setStatusCode(400).end("missing upload[droplet]");
      return;
    }
    Path uploaded = Path.of(file.uploadedFileName());
    vertx.executeBlocking(() -> {
      Path keep = Files.createTempFile(uploads, "droplet-", ".tgz");
      Files.move(uploaded, keep, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      return blobs.put(Blobstore.Kind.DROPLETS, keep);
    }, false).onSuccess(sha1 -> {
      task.get().droplet.tryComplete(sha1);
      ctx.response().setStatusCode(200).end();
    }).onFailure(e -> {
      task.get().droplet.tryFail(e);
      ctx.fail(e);
    });
  }
}
