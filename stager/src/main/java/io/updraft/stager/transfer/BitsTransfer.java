package io.updraft.stager.transfer;

import io.updraft.common.files.PrivateFiles;
import io.updraft.common.logging.Redact;
import io.updraft.stager.task.Deadline;
import io.updraft.stager.task.StagingException;
import io.updraft.stager.task.StagingTimeoutException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.UUID;

/**
 * Moves bits between the stager and the controller over HTTP (PROTOCOL.md 7.3, 8.2): the
 * package download and the droplet upload, both authenticated with the Basic-auth credentials
 * embedded in the URL the controller sent. The credentials go into an {@code Authorization}
 * header and never into a message or a log. Each transfer is bounded by the task's deadline.
 * Blocking: call from a worker thread.
 */
public final class BitsTransfer {

  /** Multipart field of the droplet upload (v1 stager-client). */
  public static final String DROPLET_FIELD = "upload[droplet]";

  private final HttpClient http;

  public BitsTransfer(HttpClient http) {
    this.http = http;
  }

  /**
   * Downloads the package to {@code file}; at most {@code maxBytes}.
   *
   * @throws StagingException "Failed downloading app: …" on any non-200 answer or I/O error
   */
  public void download(String uri, Path file, long maxBytes, Deadline deadline)
      throws StagingException {
    Target target = target(uri, "Failed downloading app");
    HttpRequest request = target.request(deadline).GET().build();
    try {
      HttpResponse<InputStream> response = http.send(request,
          HttpResponse.BodyHandlers.ofInputStream());
      try (InputStream in = response.body()) {
        if (response.statusCode() != 200) {
          throw new StagingException("Failed downloading app: HTTP " + response.statusCode()
              + " from " + target.redacted());
        }
        long declared = response.headers().firstValueAsLong("content-length").orElse(-1);
        if (declared > maxBytes) {
          throw tooLarge(maxBytes);
        }
        try (OutputStream out = PrivateFiles.newOutputStream(file)) { // a user's app: 0600
          byte[] buf = new byte[64 * 1024];
          long total = 0;
          int n;
          while ((n = in.read(buf)) > 0) {
            total += n;
            if (total > maxBytes) {
              throw tooLarge(maxBytes);
            }
            out.write(buf, 0, n);
          }
        }
      }
    } catch (HttpTimeoutException e) {
      throw new StagingTimeoutException(deadline.limit());
    } catch (IOException e) {
      throw new StagingException("Failed downloading app: " + describe(e) + " ("
          + target.redacted() + ")", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StagingException("Failed downloading app: interrupted", e);
    }
  }

  /**
   * Uploads the droplet as a multipart POST with the file in {@link #DROPLET_FIELD}.
   *
   * @throws StagingException "Failed uploading droplet: …" on a non-2xx answer or I/O error
   */
  public void upload(String uri, Path droplet, Deadline deadline) throws StagingException {
    Target target = target(uri, "Failed uploading droplet");
    String boundary = "updraft-" + UUID.randomUUID();
    String head = "--" + boundary + "\r\n"
        + "Content-Disposition: form-data; name=\"" + DROPLET_FIELD
        + "\"; filename=\"droplet.tgz\"\r\n"
        + "Content-Type: application/gzip\r\n\r\n";
    String tail = "\r\n--" + boundary + "--\r\n";
    try {
      HttpRequest request = target.request(deadline)
          .header("Content-Type", "multipart/form-data; boundary=" + boundary)
          .POST(HttpRequest.BodyPublishers.concat(
              HttpRequest.BodyPublishers.ofString(head, StandardCharsets.UTF_8),
              HttpRequest.BodyPublishers.ofFile(droplet),
              HttpRequest.BodyPublishers.ofString(tail, StandardCharsets.UTF_8)))
          .build();
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() / 100 != 2) {
        throw new StagingException("Failed uploading droplet: HTTP " + response.statusCode()
            + " from " + target.redacted());
      }
    } catch (HttpTimeoutException e) {
      throw new StagingTimeoutException(deadline.limit());
    } catch (IOException e) {
      throw new StagingException("Failed uploading droplet: " + describe(e) + " ("
          + target.redacted() + ")", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StagingException("Failed uploading droplet: interrupted", e);
    }
  }

  private static StagingException tooLarge(long maxBytes) {
    return new StagingException("Failed downloading app: the package is larger than "
        + maxBytes / (1024 * 1024) + " MB");
  }

  private static String describe(IOException e) {
    String msg = e.getMessage();
    return e.getClass().getSimpleName() + (msg == null ? "" : ": " + Redact.url(msg));
  }

  /** A URL split into its address and the Basic-auth header its user info stands for. */
  record Target(URI uri, String authorization, String redacted) {

    HttpRequest.Builder request(Deadline deadline) throws StagingException {
      deadline.check();
      HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(deadline.remaining());
      if (authorization != null) {
        b.header("Authorization", authorization);
      }
      return b;
    }
  }

  static Target target(String url, String failure) throws StagingException {
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw new StagingException(failure + ": not a URL (" + Redact.url(url) + ")");
    }
    if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())
        || uri.getHost() == null) {
      throw new StagingException(failure + ": not an http(s) URL (" + Redact.url(url) + ")");
    }
    String auth = null;
    String userInfo = uri.getRawUserInfo();
    if (userInfo != null) {
      String decoded = URLDecoder.decode(userInfo.replace("+", "%2B"), StandardCharsets.UTF_8);
      auth = "Basic " + Base64.getEncoder().encodeToString(
          decoded.getBytes(StandardCharsets.UTF_8));
      // the same address without the user info, raw (already encoded) parts kept as they are
      uri = URI.create(uri.getScheme() + "://" + uri.getHost()
          + (uri.getPort() < 0 ? "" : ":" + uri.getPort())
          + (uri.getRawPath() == null ? "" : uri.getRawPath())
          + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery()));
    }
    return new Target(uri, auth, Redact.url(url));
  }

  /** Keeps the connect phase bounded even when the deadline is far away. */
  public static HttpClient newClient() {
    return HttpClient.newBuilder()
        .connectTimeout(Duration.ofSeconds(10))
        .followRedirects(HttpClient.Redirect.NEVER)
        .build();
  }
}
