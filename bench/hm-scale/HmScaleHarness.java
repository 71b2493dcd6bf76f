import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The health-manager scale bench's world (bench/hm-scale/run): plays the controller (answers
 * {@code cloudcontroller.bulk.apps} pages, counts the START requests on
 * {@code cloudcontrollers.hm.requests}) and a pool of simulated DEAs heartbeating every 2 s,
 * staggered, from a few NATS connections. It starts the real health manager jar as a child
 * process, measures its CPU share, heap and RSS in steady state, then silences one DEA and
 * times the health manager's reaction: {@code healthmanager.dea_lost} and the START requests
 * for every instance that DEA ran.
 *
 * <p>Self-contained: compiled by the run script with javac against the health manager's shaded
 * jar (jnats and Jackson come from it), so it does not depend on the module's test sources.
 * Prints one figures line starting with {@code hm-scale:} and exits 1 when a goal fails.
 */
public final class HmScaleHarness {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long HEARTBEAT_MS = 2000;
  private static final String BULK_APPS = "cloudcontroller.bulk.apps";
  private static final String HM_REQUESTS = "cloudcontrollers.hm.requests";
  private static final String DEA_LOST = "healthmanager.dea_lost";
  private static final String HM_START = "healthmanager.start";
  private static final String HM_HEALTH = "healthmanager.health";
  private static final String HEARTBEAT = "dea.heartbeat";

  // ---- options
  private String natsUrl;
  private String natsUser;
  private String natsPass;
  private String jar;
  private Path work;
  private int statusPort;
  private String xmx = "512m";
  private String javaOpts = "";
  private int deaCount = 1000;
  private int instanceCount = 100_000;
  private int appCount = 10_000;
  private int connections = 4;
  private int warmupSeconds = 10;
  private int steadySeconds = 40;
  private int clkTck = 100;

  // ---- the simulated world
  private final long appUpdatedAt = System.currentTimeMillis() / 1000 - 3600;
  private String[] appIds;
  private String[] appVersions;
  private int[] appInstances;
  private String[] deaIds;
  /** Per DEA: the "app/index" keys it runs. */
  private List<List<String>> deaInstances;
  private byte[][] heartbeats;
  private Connection[] deaConns;
  private Connection cc;
  private ScheduledExecutorService scheduler;
  private volatile int silenced = -1;
  private volatile boolean silenceRequested;
  private volatile long victimLastHeartbeatNanos;
  private final AtomicLong heartbeatsSent = new AtomicLong();

  // ---- what the health manager said
  private final AtomicLong bulkPages = new AtomicLong();
  private final AtomicLong startIndices = new AtomicLong();
  private final AtomicLong startMessages = new AtomicLong();
  private final AtomicLong stopRequests = new AtomicLong();
  private final AtomicLong wrongVersionStarts = new AtomicLong();
  /** "app/index" to the first time (nanoTime) a START named it. */
  private final Map<String, Long> started = new ConcurrentHashMap<>();
  private final Map<String, Long> lostAt = new ConcurrentHashMap<>();
  private final Map<String, Integer> lostInstances = new ConcurrentHashMap<>();
  private final AtomicLong hmStartsHeard = new AtomicLong();

  // ---- the health manager process
  private Process hm;
  private long hmPid;
  private String statusUser = "bench";
  private String statusPass;
  private final HttpClient http = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(2)).build();

  public static void main(String[] args) throws Exception {
    HmScaleHarness h = new HmScaleHarness();
    h.parse(args);
    // killed (the run script's trap): take the health manager down too
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      Process p = h.hm;
      if (p != null && p.isAlive()) {
        p.destroyForcibly();
      }
    }));
    int code;
    try {
      code = h.run();
    } finally {
      h.shutdown();
    }
    System.exit(code);
  }

  private void parse(String[] args) {
    for (int i = 0; i < args.length; i += 2) {
      String k = args[i];
      String v = i + 1 < args.length ? args[i + 1] : "";
      switch (k) {
        case "--nats" -> natsUrl = v;
        case "--nats-user" -> natsUser = v;
        case "--nats-password" -> natsPass = v;
        case "--jar" -> jar = v;
        case "--work" -> work = Path.of(v);
        case "--status-port" -> statusPort = Integer.parseInt(v);
        case "--xmx" -> xmx = v;
        case "--java-opts" -> javaOpts = v;
        case "--deas" -> deaCount = Integer.parseInt(v);
        case "--instances" -> instanceCount = Integer.parseInt(v);
        case "--apps" -> appCount = Integer.parseInt(v);
        case "--connections" -> connections = Integer.parseInt(v);
        case "--warmup" -> warmupSeconds = Integer.parseInt(v);
        case "--steady" -> steadySeconds = Integer.parseInt(v);
        case "--clk-tck" -> clkTck = Integer.parseInt(v);
        default -> throw new IllegalArgumentException("unknown option " + k);
      }
    }
    if (natsUrl == null || jar == null || work == null || statusPort == 0) {
      throw new IllegalArgumentException(
          "usage: --nats URL --nats-user U --nats-password P --jar HM_JAR --work DIR "
              + "--status-port N [--deas N --instances N --apps N --xmx 512m --steady S]");
    }
    if (appCount <= 0 || deaCount <= 0 || instanceCount < appCount) {
      throw new IllegalArgumentException("need apps > 0, deas > 0, instances >= apps");
    }
    statusPass = Long.toHexString(new Random().nextLong());
  }

  private static void log(String msg) {
    System.err.printf(Locale.ROOT, "harness: %s%n", msg);
  }

  // ------------------------------------------------------------------------------------------

  private int run() throws Exception {
    buildWorld();
    connect();
    startController();
    startDeas();
    long hmLaunched = System.nanoTime();
    launchHealthManager();

    // ---- load: desired state read, every instance heard
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    JsonNode varz = null;
    long loadedAt = 0;
    while (System.nanoTime() < deadline) {
      checkAlive();
      varz = varz();
      if (varz != null && varz.path("total_apps").asInt() == appCount
          && varz.path("running_instances").asInt() == instanceCount
          && varz.path("deas").asInt() == deaCount) {
        loadedAt = System.nanoTime();
        break;
      }
      Thread.sleep(200);
    }
    if (loadedAt == 0) {
      log("health manager did not load: last /varz " + (varz == null ? "none"
          : "total_apps=" + varz.path("total_apps") + " running_instances="
              + varz.path("running_instances") + " deas=" + varz.path("deas")));
      return 1;
    }
    double loadSeconds = (loadedAt - hmLaunched) / 1e9;
    JsonNode config = varz.path("config");
    long analysisMs = config.path("analysis_interval_ms").asLong(1000);
    int deaLostSeconds = config.path("dea_lost_seconds").asInt(10);
    int graceSeconds = config.path("startup_grace_seconds").asInt(5);
    log(String.format(Locale.ROOT, "loaded %d apps, %d instances on %d DEAs %.1f s after launch "
        + "(analysis_interval_ms=%d dea_lost_seconds=%d)", appCount, instanceCount, deaCount,
        loadSeconds, analysisMs, deaLostSeconds));

    // ---- warm-up, then the steady window
    Thread.sleep(TimeUnit.SECONDS.toMillis(Math.max(warmupSeconds, graceSeconds + 1)));
    long startsBeforeSteady = startIndices.get();
    long[] cpu0 = cpuTicks();
    long t0 = System.nanoTime();
    long hbSent0 = heartbeatsSent.get();
    long hbRecv0 = varz().path("heartbeat_msgs_received").asLong();
    List<Double> rtts = new ArrayList<>();
    int probes = 0;
    long heapMaxKb = 0;
    long heapSumKb = 0;
    int heapSamples = 0;
    long rssMaxKb = 0;
    Connection probe = deaConns[0];
    Random pick = new Random(7);
    long steadyEnd = t0 + TimeUnit.SECONDS.toNanos(steadySeconds);
    while (System.nanoTime() < steadyEnd) {
      checkAlive();
      // an event-loop responsiveness probe: healthmanager.health for one app
      int a = pick.nextInt(appCount);
      String q = "{\"droplets\":[{\"droplet\":\"" + appIds[a] + "\",\"version\":\""
          + appVersions[a] + "\"}]}";
      long q0 = System.nanoTime();
      probes++;
      try {
        Message reply = probe.request(HM_HEALTH, q.getBytes(StandardCharsets.UTF_8),
            Duration.ofSeconds(2));
        if (reply != null) {
          rtts.add((System.nanoTime() - q0) / 1e6);
        }
      } catch (Exception e) {
        // a timeout counts as missing, reported below
      }
      JsonNode v = varz();
      if (v != null) {
        long heap = v.path("heap_used_kb").asLong();
        heapMaxKb = Math.max(heapMaxKb, heap);
        heapSumKb += heap;
        heapSamples++;
      }
      rssMaxKb = Math.max(rssMaxKb, rssKb());
      Thread.sleep(500);
    }
    long[] cpu1 = cpuTicks();
    long t1 = System.nanoTime();
    long hbSent1 = heartbeatsSent.get();
    JsonNode steadyVarz = varz();
    long hbRecv1 = steadyVarz.path("heartbeat_msgs_received").asLong();
    double wall = (t1 - t0) / 1e9;
    double cpuPct = 100.0 * ((cpu1[0] + cpu1[1]) - (cpu0[0] + cpu0[1])) / clkTck / wall;
    double cpuUserPct = 100.0 * (cpu1[0] - cpu0[0]) / clkTck / wall;
    long rssKb = rssKb();
    String heapInfo = jcmd("GC.heap_info");
    long heapCommittedKb = heapTotalKb(heapInfo);
    long steadyStarts = startIndices.get() - startsBeforeSteady;
    Collections.sort(rtts);
    log(String.format(Locale.ROOT, "steady %.1f s: cpu %.1f%% (user %.1f%%), heartbeats sent %d "
        + "received %d", wall, cpuPct, cpuUserPct, hbSent1 - hbSent0, hbRecv1 - hbRecv0));

    // ---- silence one DEA, time the reaction
    int victim = deaCount / 2;
    Set<String> victimKeys = new HashSet<>(deaInstances.get(victim));
    long silenceAsked = System.nanoTime();
    silenceRequested = true;
    while (silenced != victim) {
      Thread.sleep(5);
    }
    long lastHb = victimLastHeartbeatNanos;
    log("silenced DEA " + deaIds[victim] + " (" + victimKeys.size() + " instances) "
        + String.format(Locale.ROOT, "%.2f s after asking", (System.nanoTime() - silenceAsked)
            / 1e9));
    long waitUntil = lastHb + TimeUnit.SECONDS.toNanos(deaLostSeconds + 20L);
    while (System.nanoTime() < waitUntil) {
      checkAlive();
      if (lostAt.containsKey(deaIds[victim])
          && victimKeys.stream().allMatch(started::containsKey)) {
        break;
      }
      Thread.sleep(20);
    }
    // a little longer, to see what else it asks for
    Thread.sleep(Math.max(1500, 2 * analysisMs));
    Long lost = lostAt.get(deaIds[victim]);
    int requested = (int) victimKeys.stream().filter(started::containsKey).count();
    long lastStart = victimKeys.stream().map(started::get).filter(x -> x != null)
        .mapToLong(Long::longValue).max().orElse(-1);
    long firstStart = victimKeys.stream().map(started::get).filter(x -> x != null)
        .mapToLong(Long::longValue).min().orElse(-1);
    Set<String> others = new HashSet<>(started.keySet());
    others.removeAll(victimKeys);
    JsonNode endVarz = varz();

    // heap after a full collection: the live set the health manager really holds
    jcmd("GC.run");
    String liveInfo = jcmd("GC.heap_info");
    long liveKb = heapUsedKb(liveInfo);

    // ---- figures
    boolean lostOk = lost != null;
    boolean allRequested = requested == victimKeys.size();
    double lostAfter = lostOk ? (lost - lastHb) / 1e9 : -1;
    double allAfter = allRequested ? (lastStart - lastHb) / 1e9 : -1;
    double startsAfterLost = lostOk && allRequested ? (lastStart - lost) / 1e9 : -1;
    boolean withinInterval = lostOk && allRequested && (lastStart - lost) / 1e6 <= analysisMs;
    boolean cpuOk = cpuPct <= 100.0;
    long heapUsedKb = heapUsedKb(heapInfo);
    double rttP50 = pct(rtts, 50);
    double rttP99 = pct(rtts, 99);
    double rttMax = rtts.isEmpty() ? -1 : rtts.get(rtts.size() - 1);

    System.out.println();
    System.out.printf(Locale.ROOT, "hm-scale: deas=%d instances=%d apps=%d xmx=%s "
            + "cpu_steady=%.1f%% heap_used=%dMB heap_live=%dMB rss=%dMB dea_lost_after=%.2fs "
            + "all_starts_after=%.2fs analysis_interval=%.1fs "
            + "(within one analysis interval of declared lost: %s)%n",
        deaCount, instanceCount, appCount, xmx, cpuPct, mb(heapUsedKb >= 0 ? heapUsedKb
            : heapMaxKb), mb(liveKb), mb(rssKb), lostAfter, allAfter, analysisMs / 1000.0,
        withinInterval ? "yes" : "NO");
    System.out.printf(Locale.ROOT, "  load:       desired state and all %d instances known %.1f s "
        + "after launch; %d bulk pages served; healthmanager.start heard %d time(s), each answered "
        + "by a heartbeat from every DEA at once%n", instanceCount, loadSeconds, bulkPages.get(),
        hmStartsHeard.get());
    System.out.printf(Locale.ROOT, "  steady:     %.1f s window; cpu %.1f%% of one core (user "
            + "%.1f%%, sys %.1f%%; %d cores on this machine, the bench's own load included "
            + "in the machine's)%n", wall, cpuPct, cpuUserPct, cpuPct - cpuUserPct,
        Runtime.getRuntime().availableProcessors());
    System.out.printf(Locale.ROOT, "              heartbeats: sent %d (%.0f/s, %d instance "
            + "entries/s), health manager received %d (/varz before and after, +-in flight)%n", hbSent1 - hbSent0,
        (hbSent1 - hbSent0) / wall, Math.round((hbSent1 - hbSent0) / wall * instanceCount
            / deaCount), hbRecv1 - hbRecv0);
    System.out.printf(Locale.ROOT, "              start requests in steady state: %d (expected 0)"
        + "; stop requests so far: %d%n", steadyStarts, stopRequests.get());
    System.out.printf(Locale.ROOT, "  memory:     -Xmx%s%s; heap used %d MB at end of window "
            + "(max seen in /varz %d MB, mean %d MB), committed %d MB; live after full GC %d MB;"
            + " RSS %d MB (max %d MB)%n", xmx, javaOpts.isBlank() ? "" : " " + javaOpts,
        mb(heapUsedKb), mb(heapMaxKb), mb(heapSamples == 0 ? 0 : heapSumKb / heapSamples),
        mb(heapCommittedKb), mb(liveKb), mb(rssKb), mb(Math.max(rssMaxKb, rssKb)));
    System.out.printf(Locale.ROOT, "  probe:      healthmanager.health round trip p50 %.1f ms, "
            + "p99 %.1f ms, max %.1f ms (%d of %d answered within 2 s; one every ~0.5 s)%n",
        rttP50, rttP99, rttMax, rtts.size(), probes);
    System.out.printf(Locale.ROOT, "  dea lost:   %s silent; dea_lost after %.2f s (dea_lost_seconds"
            + " %d, analysis interval %d ms); %d/%d of its instances requested, first START "
            + "%.2f s, last %.2f s after its last heartbeat (%.3f s after dea_lost)%n",
        deaIds[victim], lostAfter, deaLostSeconds, analysisMs, requested, victimKeys.size(),
        firstStart < 0 ? -1 : (firstStart - lastHb) / 1e9, allAfter, startsAfterLost);
    System.out.printf(Locale.ROOT, "              dea_lost said instances=%s; START messages %d, "
            + "indices %d (other indices requested: %d, wrong version: %d); varz lost_deas=%s "
            + "start_requests=%s%n", lostInstances.get(deaIds[victim]), startMessages.get(),
        startIndices.get(), others.size(), wrongVersionStarts.get(), endVarz.path("lost_deas"),
        endVarz.path("start_requests"));

    if (steadyStarts > 0 || stopRequests.get() > 0 || !others.isEmpty()
        || wrongVersionStarts.get() > 0) {
      System.out.printf(Locale.ROOT, "  WARNING:    requests nothing called for: %d START indices "
              + "in steady state, %d STOPs, %d indices of DEAs still heartbeating, %d wrong "
              + "versions%n", steadyStarts, stopRequests.get(), others.size(),
          wrongVersionStarts.get());
    }
    if (Math.abs((hbRecv1 - hbRecv0) - (hbSent1 - hbSent0)) > deaCount / 10 + 5) {
      System.out.printf(Locale.ROOT, "  WARNING:    heartbeats sent %d, received %d in the steady "
          + "window%n", hbSent1 - hbSent0, hbRecv1 - hbRecv0);
    }
    List<String> failed = new ArrayList<>();
    if (!cpuOk) {
      failed.add(String.format(Locale.ROOT, "steady CPU %.1f%% > 100%% of one core", cpuPct));
    }
    if (!lostOk) {
      failed.add("no healthmanager.dea_lost for the silenced DEA");
    }
    if (!allRequested) {
      failed.add("only " + requested + "/" + victimKeys.size()
          + " of the silenced DEA's instances were requested");
    }
    if (lostOk && allRequested && !withinInterval) {
      failed.add(String.format(Locale.ROOT, "last START %.3f s after dea_lost, more than one "
          + "analysis interval (%d ms)", startsAfterLost, analysisMs));
    }
    if (failed.isEmpty()) {
      System.out.println("hm-scale: goals met (steady CPU <= 100% of one core; every instance of"
          + " the lost DEA requested within one analysis interval of dea_lost)");
      return 0;
    }
    System.out.println("hm-scale: GOALS FAILED: " + String.join("; ", failed));
    return 1;
  }

  // ------------------------------------------------------------------------------------------
  // the world

  private void buildWorld() {
    Random r = new Random(42);
    appIds = new String[appCount];
    appVersions = new String[appCount];
    appInstances = new int[appCount];
    int base = instanceCount / appCount;
    int extra = instanceCount % appCount;
    List<String> all = new ArrayList<>(instanceCount);
    for (int a = 0; a < appCount; a++) {
      appIds[a] = String.valueOf(a + 1);
      appVersions[a] = String.format("%08x-1", r.nextInt());
      appInstances[a] = base + (a < extra ? 1 : 0);
      for (int i = 0; i < appInstances[a]; i++) {
        all.add(a + "/" + i);
      }
    }
    // a fixed shuffle, dealt round robin: each DEA holds instances of many apps
    Collections.shuffle(all, r);
    deaIds = new String[deaCount];
    deaInstances = new ArrayList<>(deaCount);
    for (int d = 0; d < deaCount; d++) {
      deaIds[d] = String.format("%d-%016x%016x", d, r.nextLong(), r.nextLong());
      deaInstances.add(new ArrayList<>(instanceCount / deaCount + 1));
    }
    for (int k = 0; k < all.size(); k++) {
      deaInstances.get(k % deaCount).add(all.get(k));
    }
    long stateTs = appUpdatedAt + 60;
    heartbeats = new byte[deaCount][];
    for (int d = 0; d < deaCount; d++) {
      StringBuilder sb = new StringBuilder(200 * deaInstances.get(d).size() + 100);
      sb.append("{\"dea\":\"").append(deaIds[d]).append("\",\"prod\":false,\"droplets\":[");
      List<String> keys = deaInstances.get(d);
      List<String> asIds = new ArrayList<>(keys.size());
      for (int k = 0; k < keys.size(); k++) {
        String[] p = keys.get(k).split("/");
        int a = Integer.parseInt(p[0]);
        if (k > 0) {
          sb.append(',');
        }
        sb.append("{\"droplet\":\"").append(appIds[a]).append("\",\"version\":\"")
            .append(appVersions[a]).append("\",\"instance\":\"")
            .append(String.format("%016x%016x", r.nextLong(), r.nextLong()))
            .append("\",\"index\":").append(p[1])
            .append(",\"state\":\"RUNNING\",\"state_timestamp\":").append(stateTs)
            .append(",\"cc_partition\":\"default\"}");
        asIds.add(appIds[a] + "/" + p[1]);
      }
      sb.append("]}");
      heartbeats[d] = sb.toString().getBytes(StandardCharsets.UTF_8);
      deaInstances.set(d, asIds);
    }
    int maxBytes = Arrays.stream(heartbeats).mapToInt(b -> b.length).max().orElse(0);
    log(String.format(Locale.ROOT, "%d apps, %d instances, %d DEAs; heartbeat up to %d bytes",
        appCount, instanceCount, deaCount, maxBytes));
  }

  private Options options(String name) {
    Options.Builder b = new Options.Builder().server(natsUrl).connectionName(name)
        .maxReconnects(-1).reconnectWait(Duration.ofMillis(200))
        // the heartbeats are large; keep the outgoing buffer roomy
        .bufferSize(256 * 1024);
    if (natsUser != null && !natsUser.isEmpty()) {
      b.userInfo(natsUser.toCharArray(), natsPass.toCharArray());
    }
    return b.build();
  }

  private void connect() throws Exception {
    cc = Nats.connect(options("hm-scale-cc"));
    deaConns = new Connection[connections];
    for (int i = 0; i < connections; i++) {
      deaConns[i] = Nats.connect(options("hm-scale-deas-" + i));
    }
  }

  /** The controller's side: bulk pages and counting what the health manager asks for. */
  private void startController() throws Exception {
    Dispatcher d = cc.createDispatcher();
    d.subscribe(BULK_APPS, "cc", this::bulkApps);
    d.subscribe(HM_REQUESTS, "cc", this::hmRequest);
    d.subscribe(DEA_LOST, msg -> {
      long at = System.nanoTime();
      try {
        JsonNode n = JSON.readTree(msg.getData());
        lostAt.putIfAbsent(n.path("dea").asText(), at);
        lostInstances.putIfAbsent(n.path("dea").asText(), n.path("instances").asInt(-1));
        log("healthmanager.dea_lost " + new String(msg.getData(), StandardCharsets.UTF_8));
      } catch (IOException e) {
        log("bad dea_lost: " + e.getMessage());
      }
    });
    cc.flush(Duration.ofSeconds(5));
  }

  private void bulkApps(Message msg) {
    try {
      JsonNode req = JSON.readTree(msg.getData());
      StringBuilder sb = new StringBuilder("{\"results\":{");
      long last;
      if (req.hasNonNull("droplet")) {
        String id = req.get("droplet").asText();
        int a;
        try {
          a = Integer.parseInt(id) - 1;
        } catch (NumberFormatException e) {
          a = -1;
        }
        if (a >= 0 && a < appCount) {
          appJson(sb, a);
        }
        last = a + 1;
      } else {
        int batch = Math.max(1, Math.min(1000, req.path("batch_size").asInt(500)));
        long after = req.path("bulk_token").path("id").asLong(0);
        int from = (int) Math.max(0, after); // ids are 1..appCount: index a has id a+1
        int to = Math.min(appCount, from + batch);
        for (int a = from; a < to; a++) {
          if (a > from) {
            sb.append(',');
          }
          appJson(sb, a);
        }
        last = to;
      }
      sb.append("},\"bulk_token\":{\"id\":").append(last).append("}}");
      bulkPages.incrementAndGet();
      cc.publish(msg.getReplyTo(), sb.toString().getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      log("bad bulk request: " + e.getMessage());
    }
  }

  private void appJson(StringBuilder sb, int a) {
    sb.append('"').append(appIds[a]).append("\":{\"id\":\"").append(appIds[a])
        .append("\",\"name\":\"app-").append(appIds[a]).append("\",\"instances\":")
        .append(appInstances[a]).append(",\"state\":\"STARTED\",\"framework\":\"java\","
            + "\"runtime\":\"java17\",\"memory\":256,\"package_state\":\"STAGED\","
            + "\"updated_at\":").append(appUpdatedAt).append(",\"version\":\"")
        .append(appVersions[a]).append("\"}");
  }

  private void hmRequest(Message msg) {
    long at = System.nanoTime();
    try {
      JsonNode n = JSON.readTree(msg.getData());
      String op = n.path("op").asText().toUpperCase(Locale.ROOT);
      if (op.equals("START")) {
        startMessages.incrementAndGet();
        String app = n.path("droplet").asText();
        int a = -1;
        try {
          a = Integer.parseInt(app) - 1;
        } catch (NumberFormatException e) {
          // not one of ours
        }
        if (a < 0 || a >= appCount || !appVersions[a].equals(n.path("version").asText())) {
          wrongVersionStarts.incrementAndGet();
        }
        for (JsonNode i : n.path("indices")) {
          startIndices.incrementAndGet();
          started.putIfAbsent(app + "/" + i.asInt(), at);
        }
      } else {
        stopRequests.incrementAndGet();
        log("unexpected request: " + new String(msg.getData(), StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      log("bad hm request: " + e.getMessage());
    }
  }

  /** Every DEA heartbeats every 2 s, their phases spread evenly over the 2 s. */
  private void startDeas() throws Exception {
    scheduler = Executors.newScheduledThreadPool(2, r -> {
      Thread t = new Thread(r, "dea-heartbeats");
      t.setDaemon(true);
      return t;
    });
    for (int d = 0; d < deaCount; d++) {
      int dea = d;
      long offset = HEARTBEAT_MS * 1000 * d / deaCount; // microseconds
      scheduler.scheduleAtFixedRate(() -> heartbeat(dea), offset, HEARTBEAT_MS * 1000,
          TimeUnit.MICROSECONDS);
    }
    // PROTOCOL.md 5.1: on healthmanager.start every DEA heartbeats at once
    Dispatcher dd = deaConns[0].createDispatcher();
    dd.subscribe(HM_START, msg -> {
      hmStartsHeard.incrementAndGet();
      scheduler.execute(() -> {
        for (int d = 0; d < deaCount; d++) {
          heartbeat(d);
        }
      });
    });
    deaConns[0].flush(Duration.ofSeconds(5));
  }

  private void heartbeat(int dea) {
    if (dea == silenced) {
      return;
    }
    if (silenceRequested && dea == deaCount / 2 && silenced < 0) {
      silenced = dea;
      return;
    }
    try {
      deaConns[dea % deaConns.length].publish(HEARTBEAT, heartbeats[dea]);
      heartbeatsSent.incrementAndGet();
      if (dea == deaCount / 2) {
        victimLastHeartbeatNanos = System.nanoTime();
      }
    } catch (RuntimeException e) {
      log("heartbeat publish failed: " + e.getMessage());
    }
  }

  // ------------------------------------------------------------------------------------------
  // the health manager process

  private void launchHealthManager() throws IOException {
    Path config = work.resolve("hm.yml");
    Files.writeString(config, String.join("\n",
        "nats: {servers: [\"" + natsUrl + "\"], user: \"" + natsUser + "\", password: \""
            + natsPass + "\"}",
        "status: {host: 127.0.0.1, port: " + statusPort + ", user: " + statusUser
            + ", password: \"" + statusPass + "\"}",
        "local_ip: 127.0.0.1",
        ""));
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx" + xmx);
    for (String o : javaOpts.trim().split("\\s+")) {
      if (!o.isEmpty()) {
        cmd.add(o);
      }
    }
    cmd.addAll(List.of("-jar", jar, "--config", config.toString()));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().keySet().removeIf(k -> k.startsWith("UPDRAFT"));
    pb.redirectErrorStream(true);
    pb.redirectOutput(work.resolve("hm.log").toFile());
    hm = pb.start();
    hmPid = hm.pid();
    Files.writeString(work.resolve("hm.pid"), hmPid + "\n");
    log("health manager pid " + hmPid + ": " + String.join(" ", cmd));
  }

  private void checkAlive() throws IOException {
    if (!hm.isAlive()) {
      throw new IllegalStateException("the health manager exited with " + hm.exitValue()
          + "; its log: " + work.resolve("hm.log") + "\n" + tail(work.resolve("hm.log")));
    }
  }

  private static String tail(Path file) throws IOException {
    List<String> lines = Files.readAllLines(file);
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
  }

  private JsonNode varz() {
    try {
      HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + statusPort
              + "/varz"))
          .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
              (statusUser + ":" + statusPass).getBytes(StandardCharsets.UTF_8)))
          .timeout(Duration.ofSeconds(3)).build();
      HttpResponse<byte[]> resp = http.send(req, HttpResponse.BodyHandlers.ofByteArray());
      return resp.statusCode() == 200 ? JSON.readTree(resp.body()) : null;
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /** utime, stime of the health manager in clock ticks (/proc/PID/stat fields 14, 15). */
  private long[] cpuTicks() throws IOException {
    String stat = Files.readString(Path.of("/proc/" + hmPid + "/stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    // f[0] is field 3 (state): utime is field 14, stime field 15
    return new long[] {Long.parseLong(f[11]), Long.parseLong(f[12])};
  }

  private long rssKb() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + hmPid + "/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException | NumberFormatException e) {
      // gone
    }
    return -1;
  }

  private String jcmd(String what) {
    Path bin = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    String exe = Files.isExecutable(bin) ? bin.toString() : "jcmd";
    try {
      Process p = new ProcessBuilder(exe, String.valueOf(hmPid), what).redirectErrorStream(true)
          .start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      p.waitFor(20, TimeUnit.SECONDS);
      return out;
    } catch (IOException e) {
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }

  private static final Pattern HEAP_LINE = Pattern.compile(
      "^ ?(\\S.*?)\\s+total (\\d+)K, used (\\d+)K", Pattern.MULTILINE);

  /** Sums the "used" of the heap's top-level spaces in GC.heap_info (any collector). */
  private static long heapUsedKb(String heapInfo) {
    return heapSum(heapInfo, 3);
  }

  private static long heapTotalKb(String heapInfo) {
    return heapSum(heapInfo, 2);
  }

  private static long heapSum(String heapInfo, int group) {
    Matcher m = HEAP_LINE.matcher(heapInfo);
    long sum = 0;
    boolean any = false;
    while (m.find()) {
      String space = m.group(1).trim();
      if (space.startsWith("Metaspace") || space.startsWith("class space")
          || space.startsWith("eden") || space.startsWith("from") || space.startsWith("to")
          || space.startsWith("region size")) {
        continue;
      }
      sum += Long.parseLong(m.group(group));
      any = true;
    }
    return any ? sum : -1;
  }

  private static double pct(List<Double> sorted, int p) {
    if (sorted.isEmpty()) {
      return -1;
    }
    int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
  }

  private static long mb(long kb) {
    return kb < 0 ? -1 : Math.round(kb / 1024.0);
  }

  private void shutdown() {
    if (scheduler != null) {
      scheduler.shutdownNow();
    }
    if (hm != null && hm.isAlive()) {
      hm.destroy();
      try {
        if (!hm.waitFor(10, TimeUnit.SECONDS)) {
          hm.destroyForcibly();
        }
      } catch (InterruptedException e) {
        hm.destroyForcibly();
      }
    }
    try {
      if (deaConns != null) {
        for (Connection c : deaConns) {
          c.close();
        }
      }
      if (cc != null) {
        cc.close();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
