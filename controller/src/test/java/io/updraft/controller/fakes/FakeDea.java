package io.updraft.controller.fakes;

import io.updraft.common.bus.Bus;
import io.updraft.common.protocol.Subjects;
import io.updraft.common.protocol.dea.DeaAdvertise;
import io.updraft.common.protocol.dea.DeaStartRequest;
import io.updraft.common.protocol.dea.DeaStopRequest;
import io.updraft.common.protocol.dea.FindDropletReply;
import io.updraft.common.protocol.dea.FindDropletRequest;
import io.updraft.common.protocol.dea.InstanceState;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A DEA on the real bus that runs nothing: it advertises when told, records start requests,
 * fetches each droplet through its signed URL (checking the sha1), and reports its instances as
 * RUNNING to {@code dea.find.droplet}. Stops remove matching instances.
 */
public final class FakeDea {

  public final String id;
  public final List<DeaStartRequest> starts = new CopyOnWriteArrayList<>();
  public final List<DeaStopRequest> stops = new CopyOnWriteArrayList<>();
  /** instance id -> start request, for the ones still "running" */
  public final Map<String, DeaStartRequest> running = new ConcurrentHashMap<>();
  public final List<String> dropletProblems = new CopyOnWriteArrayList<>();
  private final Bus bus;
  private final HttpClient http = HttpClient.newHttpClient();
  private final com.sun.net.httpserver.HttpServer files;
  /** Paths the file server was asked for, as it received them. */
  public final List<String> fileRequests = new CopyOnWriteArrayList<>();

  public FakeDea(Bus bus, String id) throws java.io.IOException {
    this.bus = bus;
    this.id = id;
    files = com.sun.net.httpserver.HttpServer.create(
        new java.net.InetSocketAddress("127.0.0.1", 0), 0);
    files.createContext("/droplets/", exchange -> {
      String path = exchange.getRequestURI().getPath();
      fileRequests.add(path);
      String expected = "Basic " + java.util.Base64.getEncoder().encodeToString(
          "filer:filer-secret".getBytes(java.nio.charset.StandardCharsets.UTF_8));
      byte[] body;
      int status;
      if (!expected.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
        status = 401;
        body = new byte[0];
      } else if (path.endsWith("/logs/stdout.log")) {
        status = 200;
        body = "hello from the app\n".getBytes(java.nio.charset.StandardCharsets.UTF_8);
      } else if (path.endsWith("/logs") || path.endsWith("/logs/")) {
        status = 200;
        body = String.format("%-35s%10s%n", "stdout.log", "19B")
            .getBytes(java.nio.charset.StandardCharsets.UTF_8);
      } else {
        status = 404;
        body = "Entity not found.".getBytes(java.nio.charset.StandardCharsets.UTF_8);
      }
      exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
      if (body.length > 0) {
        exchange.getResponseBody().write(body);
      }
      exchange.close();
    });
    files.start();
    bus.subscribe(Subjects.deaStart(id), DeaStartRequest.class, d -> {
      starts.add(d.body());
      running.put(id + "-" + d.body().version() + "-" + d.body().index(), d.body());
      verifyDroplet(d.body());
    });
    bus.subscribe(Subjects.DEA_STOP, DeaStopRequest.class, d -> {
      stops.add(d.body());
      running.entrySet().removeIf(e -> e.getValue().droplet().equals(d.body().droplet())
          && (d.body().version() == null || d.body().version().equals(e.getValue().version()))
          && (d.body().indices() == null || d.body().indices().contains(e.getValue().index())));
    });
    bus.subscribe(Subjects.DEA_FIND_DROPLET, FindDropletRequest.class, d -> {
      for (var e : running.entrySet()) {
        DeaStartRequest s = e.getValue();
        if (d.body().selects(s.droplet(), s.version(), e.getKey(), s.index(),
            InstanceState.RUNNING)) {
          bus.reply(d, new FindDropletReply(id, s.droplet(), s.version(), e.getKey(), s.index(),
              InstanceState.RUNNING, 1_700_000_000L,
              "http://127.0.0.1:" + files.getAddress().getPort() + "/droplets/",
              List.of("filer", "filer-secret"), s.name() + "-" + s.index() + "-" + e.getKey(),
              null, null, null, null, null));
        }
      }
    });
  }

  public void close() {
    files.stop(0);
  }

  public void advertise(long freeMb) {
    bus.publish(Subjects.DEA_ADVERTISE, new DeaAdvertise(id, freeMb, List.of(), false));
  }

  private void verifyDroplet(DeaStartRequest start) {
    java.util.concurrent.CompletableFuture.runAsync(() -> {
      try {
        HttpResponse<byte[]> droplet = http.send(FakeStager.withAuth(start.executableUri())
            .GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        String sha1 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1")
            .digest(droplet.body()));
        if (droplet.statusCode() != 200 || !sha1.equals(start.sha1())) {
          dropletProblems.add(droplet.statusCode() + " " + sha1);
        }
      } catch (Exception e) {
        dropletProblems.add(e.toString());
      }
    });
  }
}
