package io.updraft.controller.staging;

import io.updraft.controller.blobstore.Blobstore;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import java.util.function.Supplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Droplet download URLs for DEAs: {@code http://dea:<hmac>@<controller>/staged_droplets/<app>/<sha1>}.
 * The password is an HMAC of app id and droplet sha1 under the cluster key, so any controller
 * can check it and a URL unlocks exactly one droplet (v1 had no authentication here).
 */
public final class DropletUrls {

  static final String USER = "dea";

  private final byte[] key;
  private final Supplier<String> hostPort;
  private final Blobstore blobs;

  /** @param hostPort the controller's address as DEAs reach it (known once it listens) */
  public DropletUrls(byte[] key, Supplier<String> hostPort, Blobstore blobs) {
    this.key = key.clone();
    this.hostPort = hostPort;
    this.blobs = blobs;
  }

  public String url(String appId, String sha1) {
    return "http://" + USER + ":" + signature(appId, sha1) + "@" + hostPort.get()
        + "/staged_droplets/" + appId + "/" + sha1;
  }

  /** {@code GET /staged_droplets/:id/:sha1}, for DEAs holding a signed URL. */
  public void mount(Router router) {
    router.get("/staged_droplets/:id/:sha1").handler(this::serve);
  }

  private void serve(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    String sha1 = ctx.pathParam("sha1");
    if (!Blobstore.isSha1(sha1)
        || !BasicAuth.matches(BasicAuth.password(ctx, USER), signature(id, sha1))) {
      ctx.response().setStatusCode(403).end();
      return;
    }
    Path droplet = blobs.path(Blobstore.Kind.DROPLETS, sha1);
    // a stat is file I/O: not on the event loop
    ctx.vertx().executeBlocking(() -> Files.isRegularFile(droplet), false).onSuccess(exists -> {
      if (!exists) {
        ctx.response().setStatusCode(404).end();
      } else {
        ctx.response().putHeader("Content-Type", "application/octet-stream")
            .sendFile(droplet.toString());
      }
    }).onFailure(ctx::fail);
  }

  String signature(String appId, String sha1) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(("droplet:" + appId + ":" + sha1)
          .getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }
}
