import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Nats;
import io.nats.client.Options;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The driver of bench/container-start/run: for each round and each DEA (index 0: container
 * backend, index 1: process backend), publishes a dea.<uuid>.start of the same droplet, takes
 * the instance's address from router.register and polls it until HTTP 200; the time from the
 * publish to that 200 is the start time. Then stops the instance and waits for its exit.
 * Prints one line per start and, per backend, the median and p90 and the DEA's CPU-seconds
 * per start (from /proc of the DEA's pid).
 *   java -cp updraft-dea.jar ContainerStart.java NATS_URL DROPLET_URL SHA1 ROUNDS PID0 PID1
 */
public class ContainerStart {

  public static void main(String[] args) throws Exception {
    String natsUrl = args[0];
    String dropletUrl = args[1];
    String sha1 = args[2];
    int rounds = Integer.parseInt(args[3]);
    long[] pids = {Long.parseLong(args[4]), Long.parseLong(args[5])};
    String[] names = {"container", "process"};
    ObjectMapper json = new ObjectMapper();
    Connection nats = Nats.connect(new Options.Builder().server(natsUrl).build());
    Map<Integer, String> deas = new ConcurrentHashMap<>();
    Map<String, JsonNode> routes = new ConcurrentHashMap<>();
    Map<String, Boolean> exited = new ConcurrentHashMap<>();
    Dispatcher d = nats.createDispatcher(m -> {
      try {
        JsonNode body = json.readTree(m.getData());
        switch (m.getSubject()) {
          case "dea.advertise" -> {
            String id = body.path("id").asText();
            deas.put(Integer.parseInt(id.substring(0, id.indexOf('-'))), id);
          }
          case "router.register" -> routes.putIfAbsent(body.path("app").asText(), body);
          case "droplet.exited" -> exited.put(body.path("droplet").asText(), true);
          default -> { }
        }
      } catch (Exception e) {
        // not ours
      }
    });
    d.subscribe("dea.advertise");
    d.subscribe("router.register");
    d.subscribe("droplet.exited");
    await(() -> deas.size() == 2, 60_000, "both DEAs advertising");
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    List<List<Double>> times = List.of(new ArrayList<>(), new ArrayList<>());
    double[] cpu = new double[2];
    for (int round = 0; round < rounds; round++) {
      for (int b = 0; b < 2; b++) {
        String app = UUID.randomUUID().toString();
        Map<String, Object> req = new LinkedHashMap<>();
        req.put("droplet", app);
        req.put("index", 0);
        req.put("name", "bench-" + names[b] + "-" + round);
        req.put("uris", List.of("bench-" + round + ".example"));
        req.put("runtime", "python3");
        req.put("sha1", sha1);
        req.put("executableUri", dropletUrl);
        req.put("version", "1");
        req.put("services", List.of());
        req.put("limits", Map.of("mem", 128, "disk", 256, "fds", 1024));
        req.put("env", List.of());
        req.put("users", List.of("bench@example.com"));
        double cpuBefore = cpuSeconds(pids[b]);
        long t0 = System.nanoTime();
        nats.publish("dea." + deas.get(b) + ".start", json.writeValueAsBytes(req));
        await(() -> routes.containsKey(app), 60_000, "route of " + app);
        JsonNode r = routes.get(app);
        URI uri = URI.create("http://" + r.path("host").asText() + ":" + r.path("port").asInt()
            + "/");
        await(() -> {
          try {
            return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(2)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
          } catch (Exception e) {
            return false;
          }
        }, 60_000, "HTTP 200 from " + uri);
        double ms = (System.nanoTime() - t0) / 1e6;
        cpu[b] += cpuSeconds(pids[b]) - cpuBefore;
        times.get(b).add(ms);
        System.out.printf("start %-9s round %d: %.0f ms%n", names[b], round + 1, ms);
        nats.publish("dea.stop", json.writeValueAsBytes(Map.of("droplet", app)));
        await(() -> exited.containsKey(app), 60_000, "exit of " + app);
      }
    }
    double[] med = new double[2];
    for (int b = 0; b < 2; b++) {
      List<Double> t = new ArrayList<>(times.get(b));
      Collections.sort(t);
      med[b] = t.get(t.size() / 2);
      System.out.printf("%-9s median %.0f ms, p90 %.0f ms, DEA CPU %.3f s per start%n",
          names[b], med[b], t.get(Math.min(t.size() - 1, (int) Math.ceil(t.size() * 0.9) - 1)),
          cpu[b] / rounds);
    }
    System.out.printf("container-start: rounds=%d container_ms=%.0f process_ms=%.0f "
        + "added_ms=%.0f%n", rounds, med[0], med[1], med[0] - med[1]);
    nats.close();
  }

  interface Check {
    boolean ok() throws Exception;
  }

  static void await(Check check, long millis, String what) throws Exception {
    long deadline = System.currentTimeMillis() + millis;
    while (!check.ok()) {
      if (System.currentTimeMillis() > deadline) {
        throw new IllegalStateException("timed out waiting for " + what);
      }
      Thread.sleep(10);
    }
  }

  static double cpuSeconds(long pid) throws Exception {
    String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"),
        StandardCharsets.US_ASCII);
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
  }
}
