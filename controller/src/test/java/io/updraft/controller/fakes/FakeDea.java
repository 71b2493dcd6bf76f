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

  public FakeDea(Bus bus, String id) {
    this.bus = bus;
    this.id = id;
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
        if (s.droplet().equals(d.body().droplet())
            && (d.body().version() == null || d.body().version().equals(s.version()))) {
          bus.reply(d, new FindDropletReply(id, s.droplet(), s.version(), e.getKey(), s.index(),
              InstanceState.RUNNING, 1_700_000_000L, null, null, null, null, null, null, null,
              null));
        }
      }
    });
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
