package io.updraft.controller.api;

import io.updraft.common.protocol.logs.AppLogLine;
import io.updraft.controller.logs.AppLogs;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.time.Instant;

/**
 * Updraft addition (issue 10): {@code GET /updraft/apps/:name/logs?tail=N&follow=true} streams an
 * app's log lines (stdout and stderr of every instance, and its staging) as chunked text, owner
 * only. First the last {@code tail} recent lines (default {@value #DEFAULT_TAIL}, at most
 * {@value #MAX_TAIL}; none when the cloud keeps no history), then, with {@code follow}, the live
 * ones until the client disconnects (at most {@link #FOLLOW_LIMIT}). One line per log line:
 *
 * <pre>2026-11-25T01:02:03.456Z [stdout/0] GET / 200</pre>
 *
 * <p>({@code [staging]} for staging lines). With {@code format=ndjson} each line is the
 * {@link AppLogLine} JSON instead. While following, an empty line is sent every
 * {@link #KEEPALIVE} so proxies keep the connection; clients skip empty lines. The header
 * {@code X-Updraft-Log-History} says whether recent lines are kept ({@code jetstream}) or not
 * ({@code none}: live lines only). A client too slow to take the lines loses some, reported as
 * {@code [updraft] dropped N lines (client too slow)}.
 */
final class LogsApi {

  static final int DEFAULT_TAIL = 100;
  static final int MAX_TAIL = 10_000;
  private static final Duration FOLLOW_LIMIT = Duration.ofHours(1);
  private static final Duration KEEPALIVE = Duration.ofSeconds(30);
  private static final Duration RECENT_LIMIT = Duration.ofSeconds(30);

  private final AppsApi apps;
  private final AppLogs logs;

  LogsApi(AppsApi apps, AppLogs logs) {
    this.apps = apps;
    this.logs = logs;
  }

  void mount(Router router) {
    router.get("/updraft/apps/:name/logs").handler(this::logs);
  }

  private void logs(RoutingContext ctx) {
    int tail = tail(ctx.queryParam("tail").stream().findFirst().orElse(null));
    boolean follow = ctx.queryParam("follow").stream().findFirst()
        .map(v -> v.equalsIgnoreCase("true") || v.equals("1") || v.equalsIgnoreCase("yes"))
        .orElse(false);
    boolean ndjson = ctx.queryParam("format").stream().findFirst()
        .map(v -> v.equalsIgnoreCase("ndjson") || v.equalsIgnoreCase("json")).orElse(false);
    apps.owned(ctx).onSuccess(app -> {
      Vertx vertx = ctx.vertx();
      HttpServerResponse response = ctx.response().setChunked(true)
          .putHeader("Content-Type", ndjson ? "application/x-ndjson"
              : "text/plain; charset=utf-8")
          .putHeader("Cache-Control", "no-store")
          .putHeader("X-Updraft-Log-History", logs.history() ? "jetstream" : "none");
      Writer writer = new Writer(response, ndjson);
      long[] timers = {-1, -1};
      Runnable[] stop = {() -> { }};
      boolean[] over = {false};
      Runnable close = () -> {
        if (!over[0]) {
          over[0] = true;
          vertx.cancelTimer(timers[0]);
          vertx.cancelTimer(timers[1]);
          stop[0].run();
          if (!response.ended() && !response.closed()) {
            response.end();
          }
        }
      };
      response.closeHandler(v -> close.run());
      response.exceptionHandler(e -> close.run());
      logs.open(app.id(), tail, follow, writer::line, close).onSuccess(handle -> {
        stop[0] = handle;
        if (over[0]) {
          handle.run(); // the client left while the feed was opening
          return;
        }
        if (follow) {
          // headers go out at once: the client knows it is following
          writer.keepalive();
          timers[0] = vertx.setTimer(FOLLOW_LIMIT.toMillis(), id -> close.run());
          timers[1] = vertx.setPeriodic(KEEPALIVE.toMillis(), id -> writer.keepalive());
        } else {
          // recent lines only: bounded even if retention drops lines while they are replayed
          timers[0] = vertx.setTimer(RECENT_LIMIT.toMillis(), id -> close.run());
        }
      }).onFailure(e -> {
        over[0] = true;
        ctx.fail(e);
      });
    }).onFailure(ctx::fail);
  }

  static int tail(String raw) {
    if (raw == null || raw.isBlank()) {
      return DEFAULT_TAIL;
    }
    try {
      return Math.max(0, Math.min(MAX_TAIL, Integer.parseInt(raw.trim())));
    } catch (NumberFormatException e) {
      throw new ApiError(400, 100, "tail must be a number of lines");
    }
  }

  /** {@code <ts> [<source>/<index>] <line>}, the text form of one line. */
  static String text(AppLogLine line) {
    return Instant.ofEpochMilli(line.timestamp()) + " [" + line.origin() + "] " + line.line();
  }

  /** Writes lines while the client keeps up; counts and reports what it could not take. */
  private static final class Writer {
    private final HttpServerResponse response;
    private final boolean ndjson;
    private long dropped;

    Writer(HttpServerResponse response, boolean ndjson) {
      this.response = response;
      this.ndjson = ndjson;
    }

    void line(AppLogLine line) {
      if (response.ended() || response.closed()) {
        return;
      }
      if (response.writeQueueFull()) {
        dropped++;
        return;
      }
      if (dropped > 0) {
        response.write(format(new AppLogLine(line.app(), null, null,
            line.source(), "[updraft] dropped " + dropped + " lines (client too slow)",
            line.timestamp())));
        dropped = 0;
      }
      response.write(format(line));
    }

    void keepalive() {
      if (!response.ended() && !response.closed() && !response.writeQueueFull()) {
        response.write("\n");
      }
    }

    private String format(AppLogLine line) {
      return (ndjson ? new String(line.toJson(), java.nio.charset.StandardCharsets.UTF_8)
          : text(line)) + "\n";
    }
  }
}
