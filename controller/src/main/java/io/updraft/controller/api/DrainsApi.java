package io.updraft.controller.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.updraft.controller.drains.Drain;
import io.updraft.controller.drains.DrainForwarder;
import io.updraft.controller.drains.DrainStore;
import io.updraft.controller.drains.DrainUrl;
import io.vertx.core.Future;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Log drains of an app, owner only (another user's app is 404/301 as every app route):
 *
 * <pre>
 * GET    /updraft/apps/:name/drains           [{name, url, created, dropped, connected}]
 * POST   /updraft/apps/:name/drains           {"name": "papertrail", "url": "syslog-tls://…"}
 * DELETE /updraft/apps/:name/drains/:drain    204, or 404 when there is no such drain
 * </pre>
 *
 * <p>URLs are {@code syslog://HOST:PORT} or {@code syslog-tls://HOST:PORT}; anything else is
 * 400 with the reason. A name taken for the app is 409. {@code dropped} counts lines given up
 * on while the endpoint stayed down; {@code connected} is this controller's view.
 */
final class DrainsApi {

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");

  private final AppsApi apps;
  private final DrainStore store;
  private final DrainForwarder forwarder;
  private final int maxPerApp;

  DrainsApi(AppsApi apps, DrainStore store, DrainForwarder forwarder, int maxPerApp) {
    this.apps = apps;
    this.store = store;
    this.forwarder = forwarder;
    this.maxPerApp = maxPerApp;
  }

  void mount(Router router) {
    router.get("/updraft/apps/:name/drains").handler(this::list);
    router.post("/updraft/apps/:name/drains").handler(this::add);
    router.delete("/updraft/apps/:name/drains/:drain").handler(this::delete);
  }

  private void list(RoutingContext ctx) {
    Responses.reply(ctx, apps.owned(ctx).compose(app -> store.list(app.id()))
        .map(all -> all.stream().map(this::render).toList()));
  }

  private void add(RoutingContext ctx) {
    JsonNode body = Bodies.json(ctx);
    String name = Bodies.text(body, "name");
    if (name == null || !NAME.matcher(name).matches()) {
      throw ApiError.badRequest("a drain name is 1-64 letters, digits, '.', '_' or '-', "
          + "starting with a letter or digit");
    }
    String raw = Bodies.text(body, "url");
    DrainUrl url;
    try {
      url = DrainUrl.parse(raw);
    } catch (IllegalArgumentException e) {
      throw ApiError.badRequest(e.getMessage());
    }
    apps.owned(ctx).compose(app -> store.add(app.id(), name, url.toString(), maxPerApp))
        .recover(e -> Future.failedFuture(
            e instanceof DrainStore.DuplicateDrainException ? new ApiError(409, 100,
                e.getMessage())
                : e instanceof IllegalStateException ? new ApiError(403, 100, e.getMessage())
                : e))
        .onSuccess(drain -> {
          forwarder.reload();
          Responses.json(ctx, 201, render(drain));
        }).onFailure(ctx::fail);
  }

  private void delete(RoutingContext ctx) {
    String name = ctx.pathParam("drain");
    apps.owned(ctx).compose(app -> store.delete(app.id(), name)).onSuccess(found -> {
      if (!found) {
        ctx.fail(new ApiError(404, 100, "the app has no drain named " + name));
        return;
      }
      forwarder.reload();
      Responses.empty(ctx, 204);
    }).onFailure(ctx::fail);
  }

  private Map<String, Object> render(Drain d) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("name", d.name());
    out.put("url", d.url());
    out.put("created", d.createdAt());
    out.put("dropped", d.dropped() + forwarder.droppedPending(d.id()));
    out.put("connected", forwarder.connected(d.id()));
    return out;
  }
}
