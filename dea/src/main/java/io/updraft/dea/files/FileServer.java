package io.updraft.dea.files;

import io.updraft.common.files.ConfinedFiles;
import io.updraft.common.security.FileToken;
import io.updraft.dea.instance.Instance;
import io.updraft.dea.instance.InstanceRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The instance file server (PROTOCOL.md 3.14): {@code GET /droplets/<instance dir>/<path>}
 * lists directories in the v1 plain-text format and streams files, never outside the
 * instance directory (no {@code ..}, no symlink followed, no {@code startup}/{@code stop}).
 * Authenticated by the DEA's Basic credentials (published in {@code dea.find.droplet}
 * replies) or a {@link FileToken} when a secret is configured. Requests run on the DEA's
 * event loop; path resolution and listings on a worker.
 */
public final class FileServer {

  private static final int SEND_CHUNK = 64 * 1024;

  private static final Logger log = LoggerFactory.getLogger(FileServer.class);

  private final Vertx vertx;
  private final InstanceRegistry registry;
  private final String user;
  private final String password;
  private final Optional<FileToken> tokens;
  private final Clock clock;
  private HttpServer server;

  public FileServer(Vertx vertx, InstanceRegistry registry, String user, String password,
      Optional<FileToken> tokens) {
    this.vertx = vertx;
    this.registry = registry;
    this.user = user;
    this.password = password;
    this.tokens = tokens;
    this.clock = registry.clock();
  }

  public Future<Integer> start(String host, int port) {
    return vertx.createHttpServer().requestHandler(this::handle).listen(port, host)
        .map(s -> {
          server = s;
          log.atInfo().setMessage("dea.files.listening").addKeyValue("host", host)
              .addKeyValue("port", s.actualPort()).log();
          return s.actualPort();
        });
  }

  public int port() {
    return server == null ? 0 : server.actualPort();
  }

  public List<String> credentials() {
    return List.of(user, password);
  }

  public Future<Void> stop() {
    return server == null ? Future.succeededFuture() : server.close();
  }

  void handle(HttpServerRequest req) {
    if (req.method() != HttpMethod.GET && req.method() != HttpMethod.HEAD) {
      end(req, 405, "Method not allowed.");
      return;
    }
    FilePaths.Target target;
    try {
      target = FilePaths.parse(req.path());
    } catch (FilePaths.Refused e) {
      end(req, e.status(), e.getMessage());
      return;
    }
    Optional<Instance> instance = registry.all().stream()
        .filter(i -> i.dirName().equals(target.instanceDir())).findFirst();
    String denial = authenticate(req, instance.map(Instance::id).orElse(null), target.relative());
    if (denial != null) {
      log.atInfo().setMessage("dea.files.denied").addKeyValue("path", req.path())
          .addKeyValue("reason", denial).log();
      req.response().putHeader("WWW-Authenticate", "Basic realm=\"updraft-dea\"");
      end(req, 401, "Not authorized.");
      return;
    }
    if (instance.isEmpty()) {
      end(req, 404, "Entity not found.");
      return;
    }
    Path root = instance.get().dir();
    vertx.executeBlocking(() -> resolve(root, target.segments()), false).onComplete(ar -> {
      if (ar.failed()) {
        end(req, 500, "Internal error.");
        return;
      }
      Resolved r = ar.result();
      if (r.status() != 200) {
        end(req, r.status(), r.message());
      } else if (r.listing() != null) {
        req.response().putHeader("Content-Type", "text/plain; charset=utf-8");
        end(req, 200, r.listing());
      } else {
        req.response().putHeader("Content-Type", "application/octet-stream");
        send(req, r.file(), r.size());
      }
    });
  }

  /** What a path resolves to: a listing, an open file and its size, or a refusal. */
  record Resolved(int status, String message, String listing, SeekableByteChannel file,
      long size) {
    static Resolved refused(int status, String message) {
      return new Resolved(status, message, null, null, 0);
    }
  }

  /**
   * Opens the path race-free under the instance directory: each step relative to the one
   * before, no symlink followed (an app may swap any of its directories for a link to the
   * host while the DEA, as root, looks). A symlink on the way is refused, inside or out.
   * The caller closes an opened file. Blocking.
   */
  static Resolved resolve(Path root, List<String> segments) throws IOException {
    if (!Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
      return Resolved.refused(404, "Entity not found.");
    }
    if (!segments.isEmpty() && segments.size() == 1 && (segments.get(0).equals("startup")
        || segments.get(0).equals("stop"))) {
      return Resolved.refused(403, "Not accessible");
    }
    ConfinedFiles.Opened opened;
    try {
      opened = ConfinedFiles.open(root, segments);
    } catch (NoSuchFileException e) {
      return Resolved.refused(404, "Entity not found.");
    } catch (ConfinedFiles.Refused e) {
      return Resolved.refused(403, "Not accessible");
    }
    if (opened.isDirectory()) {
      try (opened) {
        return new Resolved(200, null, DirectoryListing.render(opened.entries(),
            segments.isEmpty()), null, 0);
      }
    }
    return new Resolved(200, null, null, opened.file(), opened.attributes().size());
  }

  /**
   * Streams {@code size} bytes of the open file on workers, with back-pressure; a file that
   * ends early resets the connection (its length was promised).
   */
  private void send(HttpServerRequest req, SeekableByteChannel file, long size) {
    HttpServerResponse resp = req.response();
    resp.putHeader("Content-Length", String.valueOf(size));
    if (req.method() == HttpMethod.HEAD) {
      closeQuietly(file);
      resp.end();
      return;
    }
    long[] left = {size};
    Runnable[] next = new Runnable[1];
    next[0] = () -> {
      if (left[0] == 0) {
        closeQuietly(file);
        resp.end();
        return;
      }
      vertx.executeBlocking(() -> {
        ByteBuffer buf = ByteBuffer.allocate((int) Math.min(SEND_CHUNK, left[0]));
        int n = file.read(buf);
        return n <= 0 ? null : Buffer.buffer(Arrays.copyOf(buf.array(), n));
      }, true).onComplete(ar -> {
        if (ar.failed() || ar.result() == null) {
          closeQuietly(file);
          resp.reset();
          return;
        }
        left[0] -= ar.result().length();
        resp.write(ar.result());
        if (resp.writeQueueFull()) {
          resp.drainHandler(v -> next[0].run());
        } else {
          next[0].run();
        }
      });
    };
    resp.exceptionHandler(e -> closeQuietly(file));
    next[0].run();
  }

  private static void closeQuietly(SeekableByteChannel file) {
    try {
      file.close();
    } catch (IOException e) {
      // nothing more to read from it
    }
  }

  /** Null when the request may read {@code relative} of the instance, else why not. */
  String authenticate(HttpServerRequest req, String instanceId, String relative) {
    String header = req.getHeader("Authorization");
    if (header != null && header.regionMatches(true, 0, "Basic ", 0, 6)) {
      String given;
      try {
        given = new String(Base64.getDecoder().decode(header.substring(6).trim()),
            StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        return "malformed basic credentials";
      }
      return constantTimeEquals(given, user + ":" + password) ? null : "bad basic credentials";
    }
    String token = null;
    if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      token = header.substring(7).trim();
    } else if (req.getParam("token") != null) {
      token = req.getParam("token");
    }
    if (token == null) {
      return "no credentials";
    }
    if (tokens.isEmpty()) {
      return "tokens not enabled (no files.secret)";
    }
    try {
      FileToken.Claims claims = tokens.get().verify(token, clock.instant().getEpochSecond());
      if (!claims.instance().equals(instanceId)) {
        return "token for another instance";
      }
      if (!claims.covers(relative)) {
        return "token does not cover " + relative;
      }
      return null;
    } catch (FileToken.InvalidTokenException e) {
      return "token " + e.getMessage();
    }
  }

  private static boolean constantTimeEquals(String a, String b) {
    return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8),
        b.getBytes(StandardCharsets.UTF_8));
  }

  private static void end(HttpServerRequest req, int status, String body) {
    req.response().setStatusCode(status);
    if (req.method() == HttpMethod.HEAD) {
      req.response().end();
    } else {
      req.response().end(status == 200 ? body : body + "\n");
    }
  }
}
