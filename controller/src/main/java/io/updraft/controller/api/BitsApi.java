package io.updraft.controller.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.updraft.common.protocol.DecodeException;
import io.updraft.common.protocol.Json;
import io.updraft.controller.apps.AppStore;
import io.updraft.controller.blobstore.Blobstore;
import io.updraft.controller.blobstore.PackageBuilder;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.FileUpload;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Moving app bits (PROTOCOL.md 8.1, 14): resource matching, the package upload (a multipart
 * {@code POST} with {@code _method=put}, {@code resources} as a JSON string and the zip in
 * {@code application}) and the package download.
 */
final class BitsApi {

  static final String UPLOAD_PATH = "/apps/:name/application";

  private final Vertx vertx;
  private final AppsApi apps;
  private final AppStore store;
  private final Blobstore blobs;
  private final PackageBuilder packages;
  private final Path uploads;
  private final long maxBytes;

  BitsApi(Vertx vertx, AppsApi apps, AppStore store, Blobstore blobs, PackageBuilder packages,
      Path uploads, long maxBytes) {
    this.vertx = vertx;
    this.apps = apps;
    this.store = store;
    this.blobs = blobs;
    this.packages = packages;
    this.uploads = uploads;
    this.maxBytes = maxBytes;
  }

  /**
   * Mounted first, in place of the JSON body handler: an upload needs its own size limit and
   * goes to temporary files, not memory.
   */
  void mountUploadBody(Router router) {
    BodyHandler upload = BodyHandler.create(uploads.toString())
        .setBodyLimit(maxBytes + 1024 * 1024)
        .setDeleteUploadedFilesOnEnd(true)
        .setHandleFileUploads(true);
    router.post(UPLOAD_PATH).handler(upload);
    router.put(UPLOAD_PATH).handler(upload);
  }

  void mount(Router router) {
    router.post(UPLOAD_PATH).handler(this::upload);
    router.put(UPLOAD_PATH).handler(this::upload);
    router.post("/resources").handler(this::match);
    router.get(UPLOAD_PATH).handler(this::download);
  }

  /** Answers the subset of the listed files the pool already has (same sha1 and size). */
  private void match(RoutingContext ctx) {
    Auth.required(ctx);
    JsonNode body = Bodies.json(ctx);
    if (!body.isArray()) {
      Responses.json(ctx, 200, List.of());
      return;
    }
    vertx.executeBlocking(() -> {
      List<JsonNode> known = new ArrayList<>();
      for (JsonNode r : body) {
        String sha1 = r.path("sha1").asText("");
        long size = r.path("size").asLong(-1);
        if (Blobstore.isSha1(sha1) && size >= 0
            && blobs.find(Blobstore.Kind.RESOURCES, sha1, size).isPresent()) {
          known.add(r);
        }
      }
      return known;
    }, false).onSuccess(known -> Responses.json(ctx, 200, known)).onFailure(ctx::fail);
  }

  private void upload(RoutingContext ctx) {
    List<PackageBuilder.Resource> resources = resources(
        ctx.request().getFormAttribute("resources"));
    FileUpload zip = ctx.fileUploads().stream()
        .filter(f -> f.name().equals("application")).findFirst().orElse(null);
    if (zip == null && resources.isEmpty()) {
      throw ApiError.badRequest("Bad request: no application file and no resources");
    }
    apps.owned(ctx).compose(app -> vertx.executeBlocking(() -> packages.build(
            zip == null ? null : Path.of(zip.uploadedFileName()), resources), false)
        .recover(e -> Future.failedFuture(e instanceof PackageBuilder.PackagingException
            ? new ApiError(400, 402, e.getMessage()) : e))
        .compose(sha1 -> sha1.equals(app.packageSha1()) ? Future.succeededFuture(app)
            : store.update(app.toBuilder().packageSha1(sha1).build())))
        .onSuccess(app -> Responses.empty(ctx, 200)).onFailure(ctx::fail);
  }

  private void download(RoutingContext ctx) {
    apps.owned(ctx).onSuccess(app -> {
      if (app.packageSha1() == null) {
        ctx.fail(ApiError.appNotFound());
        return;
      }
      ctx.response().putHeader("Content-Type", "application/zip")
          .sendFile(blobs.path(Blobstore.Kind.PACKAGES, app.packageSha1()).toString())
          .onFailure(ctx::fail);
    }).onFailure(ctx::fail);
  }

  /** The {@code resources} form field: a JSON string holding an array of {sha1, size, fn}. */
  private static List<PackageBuilder.Resource> resources(String field) {
    if (field == null || field.isBlank()) {
      return List.of();
    }
    JsonNode list;
    try {
      list = Json.tree(field.getBytes(StandardCharsets.UTF_8));
    } catch (DecodeException e) {
      throw ApiError.badRequest("Bad request: resources is not valid JSON");
    }
    if (!list.isArray()) {
      throw ApiError.badRequest("Bad request: resources must be a list");
    }
    List<PackageBuilder.Resource> out = new ArrayList<>();
    for (JsonNode r : list) {
      String sha1 = r.path("sha1").asText("");
      if (!Blobstore.isSha1(sha1) || !r.path("size").canConvertToLong()) {
        throw ApiError.badRequest("Bad request: each resource needs sha1 and size");
      }
      out.add(new PackageBuilder.Resource(sha1, r.path("size").asLong(),
          r.path("fn").asText(null)));
    }
    return out;
  }
}
