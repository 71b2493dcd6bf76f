package io.updraft.dea.droplet;

import io.updraft.common.logging.Redact;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The DEA's droplet cache, {@code <base>/staged/<sha1>.tgz} (PROTOCOL.md 8.4): each sha1 is
 * downloaded once; concurrent starts of the same sha1 wait for the first download. What is
 * downloaded is verified against the sha1 before it enters the cache, so a cached file is
 * always good. Downloads stream to disk without blocking the event loop; hashing and file
 * moves run on a worker. Call from the DEA's event loop.
 */
public final class DropletCache {

  private static final Logger log = LoggerFactory.getLogger(DropletCache.class);

  private final Vertx vertx;
  private final HttpClient http;
  private final Path dir;
  private final Map<String, Future<Path>> inFlight = new HashMap<>();

  /** Cached droplets used this recently are never evicted (a start may be unpacking one). */
  static final java.time.Duration MIN_AGE = java.time.Duration.ofMinutes(10);

  private final long maxBytes;

  public DropletCache(Vertx vertx, Path dir) {
    this(vertx, dir, Long.MAX_VALUE);
  }

  /** {@code maxBytes}: the cache is pruned, least recently used first, down to this size. */
  public DropletCache(Vertx vertx, Path dir, long maxBytes) {
    this.vertx = vertx;
    this.dir = dir;
    this.maxBytes = maxBytes;
    this.http = vertx.createHttpClient(new HttpClientOptions()
        .setConnectTimeout(10_000).setIdleTimeout(60).setTrustAll(false));
  }

  public Path dir() {
    return dir;
  }

  /** The verified tarball for {@code sha1}, downloading it from {@code uri} if needed. */
  public Future<Path> obtain(String sha1, String uri) {
    if (!Sha1.isValid(sha1)) {
      return Future.failedFuture(new DropletException("invalid droplet sha1 " + sha1));
    }
    Future<Path> pending = inFlight.get(sha1);
    if (pending != null) {
      return pending;
    }
    Path cached = dir.resolve(sha1 + ".tgz");
    Future<Path> result = vertx.executeBlocking(() -> {
      if (!Files.isRegularFile(cached)) {
        return false;
      }
      // its use is its age: the least recently used go first when the cache is pruned
      Files.setLastModifiedTime(cached, java.nio.file.attribute.FileTime.from(
          java.time.Instant.now()));
      return true;
    }, false).compose(hit -> hit ? Future.succeededFuture(cached) : download(sha1, uri, cached));
    inFlight.put(sha1, result);
    result.onComplete(r -> inFlight.remove(sha1));
    return result;
  }

  /** Forgets a cached droplet (e.g. when it turned out unreadable). */
  public Future<Void> evict(String sha1) {
    if (!Sha1.isValid(sha1)) {
      return Future.succeededFuture();
    }
    return vertx.executeBlocking(() -> {
      Files.deleteIfExists(dir.resolve(sha1 + ".tgz"));
      return null;
    });
  }

  private Future<Path> download(String sha1, String uri, Path cached) {
    RequestOptions options;
    try {
      options = requestOptions(uri);
    } catch (DropletException e) {
      return Future.failedFuture(e);
    }
    Path part = dir.resolve(sha1 + ".tgz." + UUID.randomUUID() + ".part");
    long started = System.nanoTime();
    log.atInfo().setMessage("dea.droplet.downloading").addKeyValue("sha1", sha1)
        .addKeyValue("uri", Redact.url(uri)).log();
    return vertx.fileSystem().mkdirs(dir.toString())
        .compose(v -> vertx.fileSystem().open(part.toString(),
            new OpenOptions().setWrite(true).setCreate(true).setTruncateExisting(true)
                .setPerms("rw-------")))
        .compose(file -> http.request(options)
            .compose(req -> req.send())
            .compose(resp -> {
              if (resp.statusCode() != 200) {
                return resp.body().transform(ignored -> Future.failedFuture(new DropletException(
                    "droplet download failed: HTTP " + resp.statusCode() + " from "
                        + Redact.url(uri))));
              }
              // piped at once, in the callback that delivers the response: nothing is lost
              return resp.pipeTo(file);
            })
            .recover(e -> file.close().transform(ignored -> Future.failedFuture(e))))
        .compose(v -> vertx.executeBlocking(() -> {
          String actual = Sha1.of(part);
          if (!actual.equals(sha1)) {
            throw new DropletException("droplet sha1 mismatch: expected " + sha1 + ", got "
                + actual);
          }
          Files.move(part, cached, StandardCopyOption.REPLACE_EXISTING,
              StandardCopyOption.ATOMIC_MOVE);
          prune(dir, maxBytes, java.time.Instant.now().minus(MIN_AGE));
          return cached;
        }, false))
        .onSuccess(p -> log.atInfo().setMessage("dea.droplet.downloaded")
            .addKeyValue("sha1", sha1)
            .addKeyValue("ms", (System.nanoTime() - started) / 1_000_000).log())
        .recover(e -> vertx.fileSystem().delete(part.toString())
            .transform(ignored -> {
              log.atWarn().setMessage("dea.droplet.download.failed").addKeyValue("sha1", sha1)
                  .addKeyValue("uri", Redact.url(uri))
                  .addKeyValue("error", Redact.url(describe(e))).log();
              return Future.failedFuture(e instanceof DropletException ? e
                  : new DropletException("droplet download failed: " + describe(e)));
            }));
  }

  /**
   * Deletes the least recently used {@code .tgz} files until the cache holds at most
   * {@code maxBytes}, sparing those used after {@code spareAfter}. Blocking.
   */
  static void prune(Path dir, long maxBytes, java.time.Instant spareAfter)
      throws java.io.IOException {
    record Cached(Path path, long size, java.time.Instant used) {
    }
    java.util.List<Cached> all = new java.util.ArrayList<>();
    try (java.util.stream.Stream<Path> files = Files.list(dir)) {
      for (Path p : files.filter(f -> f.getFileName().toString().endsWith(".tgz")).toList()) {
        all.add(new Cached(p, Files.size(p), Files.getLastModifiedTime(p).toInstant()));
      }
    }
    long total = all.stream().mapToLong(Cached::size).sum();
    all.sort(java.util.Comparator.comparing(Cached::used));
    for (Cached c : all) {
      if (total <= maxBytes) {
        break;
      }
      if (c.used().isAfter(spareAfter)) {
        continue;
      }
      Files.deleteIfExists(c.path());
      total -= c.size();
      log.atInfo().setMessage("dea.droplet.evicted").addKeyValue("file", c.path().getFileName())
          .log();
    }
  }

  private static String describe(Throwable e) {
    return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
  }

  static RequestOptions requestOptions(String uri) throws DropletException {
    URI parsed;
    try {
      parsed = new URI(uri);
    } catch (URISyntaxException | NullPointerException e) {
      throw new DropletException("droplet uri is not a URI: " + Redact.url(uri));
    }
    String scheme = parsed.getScheme() == null ? "" : parsed.getScheme().toLowerCase();
    if (!scheme.equals("http") && !scheme.equals("https") || parsed.getHost() == null) {
      throw new DropletException("droplet uri must be http(s)://host/...: " + Redact.url(uri));
    }
    boolean ssl = scheme.equals("https");
    String path = parsed.getRawPath() == null || parsed.getRawPath().isEmpty() ? "/"
        : parsed.getRawPath();
    RequestOptions options = new RequestOptions()
        .setMethod(HttpMethod.GET)
        .setHost(parsed.getHost())
        .setPort(parsed.getPort() > 0 ? parsed.getPort() : ssl ? 443 : 80)
        .setSsl(ssl)
        .setURI(path + (parsed.getRawQuery() == null ? "" : "?" + parsed.getRawQuery()))
        .setFollowRedirects(true)
        .setIdleTimeout(60_000);
    if (parsed.getRawUserInfo() != null) {
      String userInfo = java.net.URLDecoder.decode(parsed.getRawUserInfo().replace("+", "%2B"),
          StandardCharsets.UTF_8);
      options.putHeader("Authorization", "Basic " + Base64.getEncoder()
          .encodeToString(userInfo.getBytes(StandardCharsets.UTF_8)));
    }
    return options;
  }

  public Future<Void> close() {
    return http.close();
  }
}
