package io.updraft.controller.api;

import io.updraft.common.bus.Bus;
import io.updraft.common.protocol.Subjects;
import io.updraft.common.protocol.dea.FindDropletReply;
import io.updraft.common.protocol.dea.FindDropletRequest;
import io.updraft.common.protocol.dea.InstanceState;
import io.updraft.controller.apps.App;
import io.updraft.controller.staging.StagingCoordinator;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

/**
 * An instance's files (PROTOCOL.md 13.8): the controller finds the instance with
 * {@code dea.find.droplet} and relays the DEA file server's answer (a plain-text listing or the
 * file), authenticating with the credentials the DEA published. Clients percent-encode the path
 * ({@code files/%2Flogs}); it is decoded here. The DEA keeps the path inside the instance.
 */
final class FilesApi {

  private static final Duration FIND_WINDOW = Duration.ofSeconds(2);
  private static final String STAGING_LOG = "/logs/staging.log";
  private static final Duration FOLLOW_LIMIT = Duration.ofMinutes(10);
  private static final String ROUTE =
      "/apps/(?<name>[^/]+)/instances/(?<instance>[^/]+)/files(?<path>/.*)?";

  private final AppsApi apps;
  private final Bus bus;
  private final StagingCoordinator staging;
  private final HttpClient http;

  FilesApi(Vertx vertx, AppsApi apps, Bus bus, StagingCoordinator staging) {
    this.apps = apps;
    this.bus = bus;
    this.staging = staging;
    this.http = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout(5_000));
  }

  void mount(Router router) {
    router.getWithRegex(ROUTE).handler(this::files);
    router.get("/updraft/apps/:name/staging_log").handler(this::followStaging);
  }

  /**
   * Updraft addition: streams the lines of the app's current or next staging as they are
   * written (chunked text), ending with that staging; a client opens it before it starts the
   * app so the log shows during push. Closed after {@link #FOLLOW_LIMIT} at the latest.
   */
  private void followStaging(RoutingContext ctx) {
    apps.owned(ctx).onSuccess(app -> {
      var response = ctx.response().setChunked(true)
          .putHeader("Content-Type", "text/plain; charset=utf-8");
      long[] timer = new long[1];
      Runnable[] stop = new Runnable[1];
      stop[0] = staging.follow(app.id(), line -> response.write(line + "\n"), () -> {
        ctx.vertx().cancelTimer(timer[0]);
        if (!response.ended()) {
          response.end();
        }
      });
      timer[0] = ctx.vertx().setTimer(FOLLOW_LIMIT.toMillis(), id -> {
        stop[0].run();
        if (!response.ended()) {
          response.end();
        }
      });
      response.closeHandler(v -> {
        ctx.vertx().cancelTimer(timer[0]);
        stop[0].run();
      });
      // headers go out once the follower is in place: a client may start the app now
      response.write("");
    }).onFailure(ctx::fail);
  }

  private void files(RoutingContext ctx) {
    String instance = ctx.pathParam("instance");
    String path = decode(ctx.pathParam("path"));
    if (path.equals(STAGING_LOG)) {
      stagingLog(ctx);
      return;
    }
    apps.owned(ctx).compose(app -> locate(app, instance)).onSuccess(reply -> relay(ctx, reply,
        path)).onFailure(ctx::fail);
  }

  /** v1: {@code logs/staging.log} of any instance is the app's last staging log. */
  private void stagingLog(RoutingContext ctx) {
    apps.owned(ctx).compose((App app) -> staging.lastLog(app.id())).onSuccess(text -> {
      if (text.isEmpty()) {
        ctx.fail(new ApiError(404, 303, "Could not find : 'logs/staging.log'"));
      } else {
        ctx.response().putHeader("Content-Type", "text/plain; charset=utf-8").end(text.get());
      }
    }).onFailure(ctx::fail);
  }

  private Future<FindDropletReply> locate(App app, String instance) {
    if (!app.started()) {
      throw new ApiError(400, 305, "Operation not permitted on a stopped app");
    }
    boolean byIndex = instance.matches("\\d{1,6}");
    if (byIndex && Integer.parseInt(instance) >= app.instances()) {
      throw new ApiError(400, 304, "Could not find instance: '" + instance + "'");
    }
    FindDropletRequest request = new FindDropletRequest(String.valueOf(app.id()),
        byIndex ? app.version() : null, byIndex ? null : List.of(instance), null,
        byIndex ? List.of(Integer.parseInt(instance)) : null,
        List.of(InstanceState.STARTING, InstanceState.RUNNING, InstanceState.CRASHED), false);
    return bus.gather(Subjects.DEA_FIND_DROPLET, request, FindDropletReply.class, FIND_WINDOW, 1)
        .map(replies -> {
          if (replies.isEmpty() || replies.get(0).fileUri() == null) {
            throw new ApiError(500, 306, "Error retrieving file '" + instance + "'");
          }
          return replies.get(0);
        });
  }

  private void relay(RoutingContext ctx, FindDropletReply reply, String path) {
    URI base = URI.create(reply.fileUri().endsWith("/") ? reply.fileUri()
        : reply.fileUri() + "/");
    String target = base.getRawPath() + reply.staged() + (path.startsWith("/") ? path
        : "/" + path);
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET)
        .setHost(base.getHost()).setPort(base.getPort()).setURI(target);
    List<String> creds = reply.credentials();
    if (creds != null && creds.size() == 2) {
      options.putHeader("Authorization", "Basic " + Base64.getEncoder().encodeToString(
          (creds.get(0) + ":" + creds.get(1)).getBytes(StandardCharsets.UTF_8)));
    }
    http.request(options).compose(req -> req.send()).onSuccess(response -> {
      int status = response.statusCode();
      if (status == 404 || status == 403) {
        response.body().onComplete(ignored -> ctx.fail(new ApiError(404, 303,
            "Could not find : '" + path + "'")));
        return;
      }
      if (status != 200) {
        response.body().onComplete(ignored -> ctx.fail(new ApiError(500, 306,
            "Error retrieving file '" + path + "'")));
        return;
      }
      ctx.response().setChunked(true).putHeader("Content-Type", "text/plain; charset=utf-8");
      response.pipeTo(ctx.response());
    }).onFailure(e -> ctx.fail(new ApiError(500, 306, "Error retrieving file '" + path
        + "'")));
  }

  private static String decode(String raw) {
    if (raw == null || raw.isEmpty()) {
      return "/";
    }
    // each segment may carry %2F; decoding the whole keeps '/' meaning '/'
    return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8)
        .replaceAll("/{2,}", "/");
  }
}
