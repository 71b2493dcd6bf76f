package io.updraft.client.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.updraft.common.protocol.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import java.util.function.Consumer;
import java.util.function.LongConsumer;

/**
 * The CF v1 REST API as the {@code updraft} client and the end-to-end tests use it. Blocking
 * (a command line waits anyway); every failure is a {@link CloudException} with one readable
 * line.
 */
public final class CloudClient {

  /** v1 clients skip resource matching for apps this small. */
  private static final long MATCH_THRESHOLD = 64 * 1024;

  /** HTTP/1.1: plain-http h2c upgrades buy nothing for an API and break some proxies. */
  private final HttpClient http = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(10))
      .followRedirects(HttpClient.Redirect.NEVER).build();
  private final String target;
  private final String token;

  public CloudClient(String target, String token) {
    String t = target.trim();
    if (!t.startsWith("http://") && !t.startsWith("https://")) {
      t = "http://" + t;
    }
    this.target = t.replaceAll("/+$", "");
    this.token = token;
  }

  public String target() {
    return target;
  }

  public CloudClient withToken(String newToken) {
    return new CloudClient(target, newToken);
  }

  static String seg(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }

  // ---- session

  public JsonNode info() {
    return call("GET", "/info", null, 200);
  }

  public String login(String email, String password) {
    ObjectNode body = Json.mapper().createObjectNode().put("password", password);
    return call("POST", "/users/" + seg(email) + "/tokens", body, 200).path("token").asText();
  }

  public void register(String email, String password) {
    call("POST", "/users", Json.mapper().createObjectNode().put("email", email)
        .put("password", password), 204);
  }

  // ---- apps

  public List<JsonNode> apps() {
    List<JsonNode> out = new ArrayList<>();
    call("GET", "/apps", null, 200).forEach(out::add);
    return out;
  }

  public JsonNode app(String name) {
    return call("GET", "/apps/" + seg(name), null, 200);
  }

  public boolean exists(String name) {
    try {
      app(name);
      return true;
    } catch (CloudException e) {
      if (e.status() == 404) {
        return false;
      }
      throw e;
    }
  }

  public void createApp(ObjectNode spec) {
    call("POST", "/apps", spec, 302);
  }

  /** GET, change, PUT back (as v1 clients do: the whole document goes back). */
  public void updateApp(String name, Consumer<ObjectNode> change) {
    ObjectNode app = (ObjectNode) app(name);
    change.accept(app);
    call("PUT", "/apps/" + seg(name), app, 200);
  }

  public void start(String name) {
    updateApp(name, a -> a.put("state", "STARTED"));
  }

  public void stop(String name) {
    updateApp(name, a -> a.put("state", "STOPPED"));
  }

  public void scale(String name, int instances) {
    updateApp(name, a -> a.put("instances", instances));
  }

  /** Restages if needed and rolls to a new version without downtime. */
  public void redeploy(String name) {
    call("PUT", "/apps/" + seg(name) + "/update", null, 204);
  }

  public void deleteApp(String name) {
    call("DELETE", "/apps/" + seg(name), null, 200);
  }

  // ---- data services (issue 8)

  /** {@code GET /info/services}: type → vendor → version → offering, with {@code state}. */
  public JsonNode serviceOfferings() {
    return call("GET", "/info/services", null, 200);
  }

  /** The caller's provisioned services. */
  public List<JsonNode> services() {
    List<JsonNode> out = new ArrayList<>();
    call("GET", "/services", null, 200).forEach(out::add);
    return out;
  }

  public JsonNode createService(String vendor, String name, String plan) {
    ObjectNode body = Json.mapper().createObjectNode().put("name", name).put("vendor", vendor)
        .put("tier", plan);
    return call("POST", "/services", body, 200);
  }

  /** Deletes a service; {@code force} unbinds it from its apps first. */
  public void deleteService(String name, boolean force) {
    call("DELETE", "/services/" + seg(name) + (force ? "?force=true" : ""), null, 200);
  }

  /** Adds the service to the app's {@code services} (the controller binds and restarts it). */
  public void bindService(String service, String app) {
    updateApp(app, a -> {
      ArrayNode list = a.withArray("services");
      for (JsonNode s : list) {
        if (s.asText().equals(service)) {
          throw new CloudException(0, -1, service + " is already bound to " + app);
        }
      }
      list.add(service);
    });
  }

  public void unbindService(String service, String app) {
    updateApp(app, a -> {
      ArrayNode list = a.withArray("services");
      for (int i = list.size() - 1; i >= 0; i--) {
        if (list.get(i).asText().equals(service)) {
          list.remove(i);
          return;
        }
      }
      throw new CloudException(0, -1, service + " is not bound to " + app);
    });
  }

  // ---- log drains: an app's lines forwarded to syslog endpoints

  /** The app's drains: name, url, created, dropped, connected. */
  public List<JsonNode> drains(String app) {
    List<JsonNode> out = new ArrayList<>();
    call("GET", "/updraft/apps/" + seg(app) + "/drains", null, 200).forEach(out::add);
    return out;
  }

  public JsonNode addDrain(String app, String name, String url) {
    ObjectNode body = Json.mapper().createObjectNode().put("name", name).put("url", url);
    return call("POST", "/updraft/apps/" + seg(app) + "/drains", body, 201);
  }

  public void deleteDrain(String app, String name) {
    call("DELETE", "/updraft/apps/" + seg(app) + "/drains/" + seg(name), null, 204);
  }

  // ---- cloud events and DEA pool scaling (issue 9), admins only

  /** The newest events first; {@code kind} filters by prefix (e.g. {@code scaling}). */
  public List<JsonNode> events(int limit, String kind) {
    List<JsonNode> out = new ArrayList<>();
    call("GET", "/events?limit=" + limit + (kind == null ? "" : "&kind=" + seg(kind)), null,
        200).forEach(out::add);
    return out;
  }

  /** Grows the DEA pool by {@code count} now, through the controller's scaling platform. */
  public JsonNode scalePool(int count) {
    return call("POST", "/updraft/scaling/scaleup",
        Json.mapper().createObjectNode().put("count", count), 200);
  }

  public JsonNode instances(String name) {
    return call("GET", "/apps/" + seg(name) + "/instances", null, 200).path("instances");
  }

  public JsonNode stats(String name) {
    return call("GET", "/apps/" + seg(name) + "/stats", null, 200);
  }

  public JsonNode crashes(String name) {
    return call("GET", "/apps/" + seg(name) + "/crashes", null, 200).path("crashes");
  }

  public String file(String name, String instance, String path) {
    HttpResponse<String> r = send("GET", "/apps/" + seg(name) + "/instances/" + seg(instance)
        + "/files/" + seg(path.startsWith("/") ? path : "/" + path), null);
    check(r, 200);
    return r.body();
  }

  /** Polls until every desired instance runs; false when {@code timeout} passes first. */
  public boolean awaitRunning(String name, Duration timeout) throws InterruptedException {
    Instant deadline = Instant.now().plus(timeout);
    while (Instant.now().isBefore(deadline)) {
      JsonNode app = app(name);
      if (app.path("runningInstances").asInt(-1) >= app.path("instances").asInt()) {
        return true;
      }
      Thread.sleep(500); // polling the API, as v1 clients do
    }
    return false;
  }

  /** A running follow of a staging log; {@link #close()} stops it. */
  public interface Following extends AutoCloseable {
    /** Waits up to {@code timeout} for the staging to end; true when it did. */
    boolean awaitEnd(Duration timeout) throws InterruptedException;

    @Override
    void close();
  }

  /**
   * Prints the app's next staging log as it is written ({@code /updraft/apps/:name/staging_log}).
   * Returns once the cloud is listening, so the caller can start the app right after.
   */
  public Following followStaging(String name, Consumer<String> line) {
    HttpRequest request = request("/updraft/apps/" + seg(name) + "/staging_log")
        .timeout(Duration.ofMinutes(10)).GET().build();
    java.util.concurrent.CompletableFuture<HttpResponse<java.util.stream.Stream<String>>> headers =
        http.sendAsync(request, HttpResponse.BodyHandlers.ofLines());
    HttpResponse<java.util.stream.Stream<String>> response;
    try {
      response = headers.get(10, java.util.concurrent.TimeUnit.SECONDS);
    } catch (Exception e) {
      headers.cancel(true);
      return noFollow();
    }
    if (response.statusCode() != 200) {
      response.body().close();
      return noFollow();
    }
    java.util.concurrent.CountDownLatch ended = new java.util.concurrent.CountDownLatch(1);
    Thread reader = new Thread(() -> {
      try (java.util.stream.Stream<String> lines = response.body()) {
        lines.filter(l -> !l.isEmpty()).forEach(line);
      } catch (RuntimeException e) {
        // the stream was closed under us: following is over
      } finally {
        ended.countDown();
      }
    }, "staging-log");
    reader.setDaemon(true);
    reader.start();
    return new Following() {
      @Override
      public boolean awaitEnd(Duration timeout) throws InterruptedException {
        return ended.await(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
      }

      @Override
      public void close() {
        response.body().close();
      }
    };
  }

  /**
   * Streams the app's log lines ({@code GET /updraft/apps/:name/logs}, issue 10) as their JSON
   * objects ({@code app, instance, index, source, line, ts}): the last {@code tail} recent ones,
   * then with {@code follow} the live ones until the cloud ends the stream. Blocks until then.
   * {@code history} hears first whether the cloud keeps recent lines ({@code jetstream}) or
   * passes on live ones only ({@code none}).
   *
   * @throws CloudException for an error answer (404 with code 301: no such app; another 404:
   *     a cloud without log streams)
   */
  public void logs(String name, int tail, boolean follow, Consumer<String> history,
      Consumer<JsonNode> line) {
    HttpRequest request = request("/updraft/apps/" + seg(name) + "/logs?format=ndjson&tail="
        + tail + (follow ? "&follow=true" : ""))
        .timeout(follow ? Duration.ofHours(2) : Duration.ofMinutes(5)).GET().build();
    HttpResponse<java.util.stream.Stream<String>> response = execute(request,
        HttpResponse.BodyHandlers.ofLines());
    try (java.util.stream.Stream<String> lines = response.body()) {
      if (response.statusCode() != 200) {
        String body = lines.collect(java.util.stream.Collectors.joining("\n"));
        String description = null;
        int code = -1;
        try {
          JsonNode error = Json.tree(body.getBytes(StandardCharsets.UTF_8));
          description = error.path("description").asText(null);
          code = error.path("code").asInt(-1);
        } catch (RuntimeException e) {
          // not a JSON error body
        }
        throw new CloudException(response.statusCode(), code, description != null ? description
            : "HTTP " + response.statusCode() + " from " + request.uri());
      }
      history.accept(response.headers().firstValue("X-Updraft-Log-History").orElse(null));
      lines.filter(l -> !l.isBlank()).forEach(l -> {
        JsonNode decoded;
        try {
          decoded = Json.tree(l.getBytes(StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
          return; // a line this client cannot read: skip it
        }
        line.accept(decoded);
      });
    } catch (java.io.UncheckedIOException e) {
      throw new CloudException(0, -1, "the log stream from " + target + " broke off: "
          + e.getCause().getMessage());
    }
  }

  private static Following noFollow() {
    return new Following() {
      @Override
      public boolean awaitEnd(Duration timeout) {
        return true;
      }

      @Override
      public void close() {
      }
    };
  }

  // ---- bits

  /**
   * Uploads an app directory: asks which files the cloud has, zips the rest and sends the
   * package. {@code progress} receives bytes sent so far.
   */
  public UploadResult upload(String name, AppArchive archive, LongConsumer progress)
      throws IOException {
    List<AppArchive.Entry> known = List.of();
    if (archive.totalBytes() > MATCH_THRESHOLD) {
      ArrayNode list = Json.mapper().createArrayNode();
      archive.entries().forEach(e -> list.addObject().put("fn", e.fn()).put("sha1", e.sha1())
          .put("size", e.size()));
      JsonNode matched = call("POST", "/resources", list, 200);
      List<String> matchedNames = new ArrayList<>();
      matched.forEach(m -> matchedNames.add(m.path("fn").asText()));
      known = archive.entries().stream().filter(e -> matchedNames.contains(e.fn())).toList();
    }
    List<AppArchive.Entry> missing = new ArrayList<>(archive.entries());
    missing.removeAll(known);
    ArrayNode resources = Json.mapper().createArrayNode();
    known.forEach(e -> resources.addObject().put("fn", e.fn()).put("sha1", e.sha1())
        .put("size", e.size()));

    Path zip = Files.createTempFile("updraft-push-", ".zip");
    try {
      try (OutputStream out = Files.newOutputStream(zip)) {
        archive.zip(missing, out);
      }
      String boundary = "----updraft" + Long.toHexString(System.nanoTime());
      byte[] head = ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"_method\""
          + "\r\n\r\nput\r\n--" + boundary + "\r\nContent-Disposition: form-data; "
          + "name=\"resources\"\r\n\r\n" + resources + "\r\n--" + boundary
          + "\r\nContent-Disposition: form-data; name=\"application\"; filename=\"app.zip\""
          + "\r\nContent-Type: application/zip\r\n\r\n").getBytes(StandardCharsets.UTF_8);
      byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8);
      long zipBytes = Files.size(zip);
      HttpRequest.BodyPublisher body = HttpRequest.BodyPublishers.fromPublisher(
          HttpRequest.BodyPublishers.ofInputStream(() -> counting(new SequenceInputStream(
              Collections.enumeration(List.of(new java.io.ByteArrayInputStream(head),
                  uncheckedOpen(zip), new java.io.ByteArrayInputStream(tail)))), progress)),
          head.length + zipBytes + tail.length);
      HttpRequest.Builder request = request("/apps/" + seg(name) + "/application")
          .header("Content-Type", "multipart/form-data; boundary=" + boundary)
          .timeout(Duration.ofMinutes(10))
          .POST(body);
      HttpResponse<String> response = execute(request.build());
      check(response, 200);
      return new UploadResult(archive.entries().size(), known.size(), zipBytes);
    } finally {
      Files.deleteIfExists(zip);
    }
  }

  /** What a push sent: files in the app, files the cloud already had, zip bytes sent. */
  public record UploadResult(int files, int reused, long bytesSent) {
  }

  private static InputStream uncheckedOpen(Path file) {
    try {
      return Files.newInputStream(file);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static InputStream counting(InputStream in, LongConsumer progress) {
    return new java.io.FilterInputStream(in) {
      private long sent;

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, len);
        if (n > 0) {
          sent += n;
          progress.accept(sent);
        }
        return n;
      }
    };
  }

  // ---- plumbing

  /**
   * Whether {@code host} is a {@code .localhost} name (not plain localhost, which resolves
   * anyway). Sending such a Host header needs {@code jdk.httpclient.allowRestrictedHeaders=host},
   * which the client's main sets.
   */
  static boolean isLocalhostName(String host) {
    return host != null && host.toLowerCase(java.util.Locale.ROOT).endsWith(".localhost")
        && "host".equals(System.getProperty("jdk.httpclient.allowRestrictedHeaders"));
  }

  private HttpRequest.Builder request(String path) {
    URI uri = URI.create(target + path);
    HttpRequest.Builder b;
    if (isLocalhostName(uri.getHost())) {
      // RFC 6761: *.localhost is this machine; the router still needs the name (Host header)
      b = HttpRequest.newBuilder(URI.create(uri.getScheme() + "://127.0.0.1"
          + (uri.getPort() > 0 ? ":" + uri.getPort() : "") + uri.getRawPath()
          + (uri.getRawQuery() != null ? "?" + uri.getRawQuery() : "")))
          .header("Host", uri.getHost() + (uri.getPort() > 0 ? ":" + uri.getPort() : ""));
    } else {
      b = HttpRequest.newBuilder(uri);
    }
    b.timeout(Duration.ofMinutes(5)).header("Accept", "application/json");
    if (token != null) {
      b.header("Authorization", token);
    }
    return b;
  }

  private HttpResponse<String> send(String method, String path, JsonNode body) {
    HttpRequest.Builder b = request(path);
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofString(body.toString()));
    return execute(b.build());
  }

  private HttpResponse<String> execute(HttpRequest request) {
    return execute(request, HttpResponse.BodyHandlers.ofString());
  }

  /** Sends; a failure to talk to the cloud at all is one clear CloudException. */
  private <T> HttpResponse<T> execute(HttpRequest request, HttpResponse.BodyHandler<T> body) {
    try {
      return http.send(request, body);
    } catch (ConnectException e) {
      throw new CloudException(0, -1, "cannot reach " + target + " (is the cloud running?)");
    } catch (HttpTimeoutException e) {
      throw new CloudException(0, -1, "no answer from " + target + " in time");
    } catch (IOException e) {
      throw new CloudException(0, -1, "cannot talk to " + target + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CloudException(0, -1, "interrupted");
    }
  }

  private JsonNode call(String method, String path, JsonNode body, int expected) {
    HttpResponse<String> response = send(method, path, body);
    check(response, expected);
    String text = response.body();
    if (text == null || text.isBlank()) {
      return MissingNode.getInstance();
    }
    try {
      return Json.tree(text.getBytes(StandardCharsets.UTF_8));
    } catch (RuntimeException e) {
      throw new CloudException(response.statusCode(), -1, "the cloud sent something that is "
          + "not JSON (is " + target + " an Updraft API?)");
    }
  }

  private static void check(HttpResponse<String> response, int expected) {
    int status = response.statusCode();
    if (status == expected || (expected == 200 && status == 204)) {
      return;
    }
    String description = null;
    int code = -1;
    try {
      JsonNode error = Json.tree(response.body().getBytes(StandardCharsets.UTF_8));
      description = error.path("description").asText(null);
      code = error.path("code").asInt(-1);
    } catch (RuntimeException e) {
      // not a JSON error body
    }
    throw new CloudException(status, code, description != null ? description
        : "HTTP " + status + " from " + response.request().uri());
  }

}
