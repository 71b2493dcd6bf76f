package io.updraft.controller.fakes;

import io.updraft.common.bus.Bus;
import io.updraft.common.protocol.Subjects;
import io.updraft.common.protocol.staging.StagingLogLine;
import io.updraft.common.protocol.staging.StagingRequest;
import io.updraft.common.protocol.staging.StagingResult;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A stager on the real bus that speaks the staging protocol without building anything: it
 * downloads the package with the URL's credentials, streams a log line, uploads a fake droplet
 * (the package bytes plus a marker) and replies. {@code failWith} makes it report an error.
 */
public final class FakeStager {

  public final List<StagingRequest> requests = new CopyOnWriteArrayList<>();
  public volatile String failWith;
  private final HttpClient http = HttpClient.newHttpClient();

  public FakeStager(Bus bus) {
    bus.subscribe(Subjects.STAGING, Subjects.QUEUE_STAGING, StagingRequest.class,
        d -> CompletableFuture.runAsync(() -> {
          StagingRequest request = d.body();
          requests.add(request);
          String log = "Downloading application\n";
          try {
            HttpResponse<byte[]> pkg = http.send(withAuth(request.downloadUri()).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
            if (pkg.statusCode() != 200) {
              bus.reply(d, new StagingResult("t", log, "Failed downloading app"));
              return;
            }
            bus.publish(Subjects.stagingLog(request.taskId()),
                new StagingLogLine(request.taskId(), "Detected buildpack: fake"));
            if (failWith != null) {
              bus.reply(d, new StagingResult(request.taskId(), log, failWith));
              return;
            }
            byte[] droplet = (new String(pkg.body(), StandardCharsets.ISO_8859_1) + "droplet")
                .getBytes(StandardCharsets.ISO_8859_1);
            HttpResponse<String> up = http.send(multipart(request.uploadUri(), droplet),
                HttpResponse.BodyHandlers.ofString());
            bus.reply(d, new StagingResult(request.taskId(), log + "Uploaded " + up.statusCode()
                + "\n", up.statusCode() == 200 ? null : "Failed uploading droplet"));
          } catch (Exception e) {
            bus.reply(d, new StagingResult(request.taskId(), log, e.toString()));
          }
        }));
  }

  static HttpRequest.Builder withAuth(String url) {
    URI uri = URI.create(url);
    URI bare = URI.create(uri.getScheme() + "://" + uri.getHost() + ":" + uri.getPort()
        + uri.getRawPath());
    return HttpRequest.newBuilder(bare).header("Authorization", "Basic " + Base64.getEncoder()
        .encodeToString(uri.getRawUserInfo().getBytes(StandardCharsets.UTF_8)));
  }

  private static HttpRequest multipart(String url, byte[] droplet) {
    String boundary = "fake" + System.nanoTime();
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; "
        + "name=\"upload[droplet]\"; filename=\"droplet.tgz\"\r\n"
        + "Content-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.UTF_8));
    body.writeBytes(droplet);
    body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
    return withAuth(url).header("Content-Type", "multipart/form-data; boundary=" + boundary)
        .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build();
  }
}
