package io.updraft.stager.isolation;

import io.updraft.common.container.BundleFiles;
import io.updraft.common.container.ContainerNetwork;
import io.updraft.common.container.ContainerSpec;
import io.updraft.common.container.OciConfig;
import io.updraft.common.container.OciRuntime;
import io.updraft.common.files.FileTrees;
import io.updraft.stager.StagerConfig;
import io.updraft.stager.process.BuildProcess;
import io.updraft.stager.process.OutputPump;
import io.updraft.stager.task.Deadline;
import io.updraft.stager.task.StagingException;
import io.updraft.stager.task.StagingLog;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Each build step in a container of its own, on the read-only stack the DEA runs apps on, the
 * way the DEA runs an instance: the OCI runtime in the foreground ({@code setsid <runtime> run})
 * with {@code tini -g} as init, no capabilities, its own mount, PID, IPC, UTS and network
 * namespaces, cgroup limits on memory ({@code max_memory_mb}) and processes.
 *
 * <p>What a step sees of the stager's host: the task's app directory at
 * {@code /home/vcap/app} (cwd), a home of the task's own at {@code /home/vcap} ({@code HOME},
 * {@code TMPDIR=/home/vcap/tmp}), the app's own package caches at {@code /home/vcap/cache}
 * (one directory per app, so one app's build cannot poison another's packages), an offline
 * stager's shared npm cache as a copy of the task's own at {@code /home/vcap/npm-cache} (see
 * {@link #seedOfflineNpmCache}), the
 * {@code maven_local_repo} read-only at {@code /home/vcap/.m2/repository}, and nothing else.
 * It runs as an unprivileged uid of {@code isolation.uid_base ..}, one per running task, which
 * owns those directories for the step; afterwards the app directory is the stager's again and
 * must hold no link that points outside it. Its network is a {@link ContainerNetwork} slot.
 *
 * <p>Bundles are {@code <work_dir>/containers/<id>} (0700), the runtime's state
 * {@code <work_dir>/containers/.runtime}; what a crashed stager left is cleared at start.
 */
public final class ContainerIsolation implements BuildIsolation {

  private static final Logger log = LoggerFactory.getLogger(ContainerIsolation.class);
  static final String HOME = "/home/vcap";
  static final String APP = HOME + "/app";
  static final String CACHE = HOME + "/cache";
  static final String OFFLINE_NPM_CACHE = HOME + "/npm-cache";
  static final String MAVEN_REPO = HOME + "/.m2/repository";
  static final String TMP = HOME + "/tmp";
  /** Variables of the stager's environment a step may see (host paths are meaningless). */
  private static final Set<String> PASSED_THROUGH = Set.of("LANG", "LC_ALL", "TZ",
      "http_proxy", "https_proxy", "no_proxy", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY");
  private static final Path SETSID = Path.of("/usr/bin/setsid");
  private static final Path BOOT_ID = Path.of("/proc/sys/kernel/random/boot_id");
  private static final String SLOT_FILE = "slot";
  /** One full CPU share: a step weighs as much as any other process group of the host. */
  private static final long CPU_SHARES = 1024;
  /** npm and Maven open many files at once. */
  private static final int OPEN_FILES = 8192;
  /**
   * How often the deadline and the OOM counter are checked while a step runs: often, as under
   * cgroup v1 the counter goes with the container (see {@link StepCgroup}).
   */
  private static final long POLL_MILLIS = 50;
  /** After a kill, how long the runtime may take to reap the container. */
  private static final long STOP_WAIT_SECONDS = 10;

  private final StagerConfig config;
  private final OciRuntime runtime;
  private final ContainerNetwork network;
  private final Path containers;
  private final Set<Integer> uidsInUse = new HashSet<>();
  private final Set<Path> cachesInUse = new HashSet<>();

  public ContainerIsolation(StagerConfig config, OciRuntime runtime, ContainerNetwork network,
      Path containers) {
    this.config = config;
    this.runtime = runtime;
    this.network = network;
    this.containers = containers;
  }

  @Override
  public String name() {
    return "container";
  }

  public OciRuntime runtime() {
    return runtime;
  }

  /** Directories, host rules, and whatever a crashed stager left behind; once at start. */
  public void prepareHost() throws IOException {
    Files.createDirectories(containers);
    Files.setPosixFilePermissions(containers, PosixFilePermissions.fromString("rwx------"));
    runtime.prepare();
    network.prepareHost();
    reconcile();
  }

  /** Containers, network slots, cgroups and bundles of steps no task runs any more. */
  void reconcile() {
    runtime.list().forEach(runtime::delete);
    String bootId = bootId();
    try (Stream<Path> dirs = Files.list(containers)) {
      for (Path bundle : dirs.toList()) {
        String id = bundle.getFileName().toString();
        if (id.startsWith(".")) {
          continue;
        }
        // a slot is given back only if recorded in this boot: after a reboot the namespace
        // is gone and the slot may be someone else's now
        Path slotFile = bundle.resolve(SLOT_FILE);
        if (Files.isRegularFile(slotFile)) {
          String[] recorded = Files.readString(slotFile).strip().split(" ");
          if (recorded.length == 2 && recorded[0].equals(bootId)) {
            network.detach(network.attachment(Integer.parseInt(recorded[1])));
          }
        }
        StepCgroup.remove(Path.of("/sys/fs/cgroup"), id);
        FileTrees.deleteRecursively(bundle);
      }
    } catch (IOException | RuntimeException e) {
      log.atWarn().setMessage("stager.container.prune.failed")
          .addKeyValue("reason", e.getMessage()).log();
    }
    StepCgroup.pruneAll();
  }

  @Override
  public Sandbox open(String appId, Path taskDir, Path appDir, Path tmpDir) throws IOException {
    int uid = claimUid();
    Path cache = null;
    try {
      Path home = Files.createDirectories(taskDir.resolve("home"));
      cache = claimCache(appId, taskDir);
      return new ContainerSandbox(uid, home, appDir, cache);
    } catch (IOException | RuntimeException e) {
      release(uid, cache);
      throw e;
    }
  }

  private synchronized int claimUid() {
    int base = config.isolation().uidBase();
    for (int uid = base; uid < base + config.isolation().uidCount(); uid++) {
      if (uidsInUse.add(uid)) {
        return uid;
      }
    }
    throw new IllegalStateException("all " + config.isolation().uidCount()
        + " build uids are in use (isolation.uid_count)");
  }

  /**
   * The app's own cache directory; a task of the same app already building uses it, then this
   * task gets a fresh one of its own (two builds never share a writable cache).
   */
  private Path claimCache(String appId, Path taskDir) throws IOException {
    Path cache = config.workPath().resolve("cache/apps").resolve(cacheKey(appId));
    synchronized (this) {
      if (!cachesInUse.add(cache)) {
        cache = taskDir.resolve("cache");
      }
    }
    Files.createDirectories(cache);
    plainDirectories(cache, "npm");
    plainDirectories(cache, "pip");
    return cache;
  }

  private synchronized void release(int uid, Path cache) {
    uidsInUse.remove(uid);
    if (cache != null) {
      cachesInUse.remove(cache);
    }
  }

  /**
   * {@code relative} below {@code root} as plain directories, each component: whatever else a
   * step left in the way (a link to a host directory, which the stager would otherwise create
   * directories through) is removed first. Only while no step of the tree runs.
   */
  static Path plainDirectories(Path root, String relative) throws IOException {
    Path p = root;
    for (String part : relative.split("/")) {
      p = p.resolve(part);
      if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)
          && !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
        FileTrees.deleteRecursively(p);
      }
      if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
        Files.createDirectory(p);
      }
    }
    return p;
  }

  /** A file name for the app's cache: a hash of its id (ids come from the request). */
  static String cacheKey(String appId) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(
          String.valueOf(appId).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 10);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String bootId() {
    try {
      return Files.readString(BOOT_ID).strip();
    } catch (IOException e) {
      return "unknown";
    }
  }

  /** Whether {@code url} names this host's loopback, which no container reaches. */
  static boolean loopback(String url) {
    try {
      String host = URI.create(url).getHost();
      if (host == null) {
        return false;
      }
      host = host.toLowerCase(java.util.Locale.ROOT);
      return host.equals("localhost") || host.endsWith(".localhost") || host.startsWith("127.")
          || host.equals("[::1]") || host.equals("::1");
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** One task's steps: its uid, home and cache, a container per step. */
  private final class ContainerSandbox implements Sandbox {

    private final int uid;
    private final Path home;
    private final Path appDir;
    private final Path cache;
    private final Optional<Path> mavenRepo;
    private final Path offlineNpmCache;
    private boolean seeded;

    ContainerSandbox(int uid, Path home, Path appDir, Path cache) {
      this.uid = uid;
      this.home = home;
      this.appDir = appDir;
      this.cache = cache;
      this.offlineNpmCache = home.resolveSibling("npm-cache");
      this.mavenRepo = Optional.ofNullable(config.mavenLocalRepo()).map(Path::of)
          .filter(Files::isDirectory);
    }

    @Override
    public Map<String, String> baseEnvironment(Map<String, String> stagerEnv) {
      Map<String, String> env = new LinkedHashMap<>();
      stagerEnv.forEach((k, v) -> {
        if (PASSED_THROUGH.contains(k) && v != null) {
          env.put(k, v);
        }
      });
      env.put("PATH", StackTools.PATH);
      env.put("HOME", HOME);
      env.putIfAbsent("LANG", "C.UTF-8");
      env.put("TMPDIR", TMP);
      return env;
    }

    @Override
    public Map<String, String> cacheEnvironment() {
      return Map.of(
          "npm_config_cache", config.offline() ? OFFLINE_NPM_CACHE : CACHE + "/npm",
          // npm writes its logs into its cache by default: not into what later tasks use
          "npm_config_logs_dir", TMP + "/npm-logs",
          "PIP_CACHE_DIR", CACHE + "/pip");
    }

    @Override
    public Optional<String> mavenLocalRepo() {
      return mavenRepo.map(p -> MAVEN_REPO);
    }

    @Override
    public Optional<Path> which(String tool, String path) {
      return StackTools.which(config.isolation().stackPath(), tool);
    }

    @Override
    public String missingTool(String tool, String buildpack) {
      return StackTools.missing(tool, buildpack);
    }

    @Override
    public Optional<String> registryProblem(String url) {
      return loopback(url) ? Optional.of("is on this stager's loopback, which build "
          + "containers cannot reach (use an address of this host they can, and list its port "
          + "in isolation.allowed_host_ports)") : Optional.empty();
    }

    @Override
    public BuildProcess.Result run(List<String> command, Map<String, String> env,
        Deadline deadline, int maxMemoryMb, StagingLog stagingLog) throws StagingException {
      deadline.check();
      String tool = Path.of(command.get(0)).getFileName().toString();
      String id = "stg-" + UUID.randomUUID().toString().replace("-", "").substring(0, 20);
      long limitBytes = maxMemoryMb * 1024L * 1024L;
      StepCgroup cgroup = new StepCgroup(id, limitBytes);
      Path bundle = containers.resolve(id);
      int[] self = self();
      ContainerNetwork.Attachment slot = null;
      Process process;
      try {
        prepareDirs();
        slot = network.attach();
        network.allowHostPorts(slot, config.isolation().allowedHostPorts());
        process = start(command, env, id, bundle, slot, cgroup, limitBytes);
      } catch (IOException e) {
        cleanUp(id, bundle, slot, cgroup, null);
        giveBackQuietly(self);
        throw new StagingException("Could not start a build container for " + tool + ": "
            + e.getMessage(), e);
      }
      OutputPump output = OutputPump.start(process, stagingLog);
      BuildProcess.Result result = null;
      boolean oom;
      try {
        long kills = 0;
        while (!process.waitFor(POLL_MILLIS, TimeUnit.MILLISECONDS)) {
          kills = Math.max(kills, cgroup.oomKills());
          if (deadline.passed()) {
            stop(id, process);
            deadline.check();
          }
        }
        oom = cgroup.outOfMemory(kills, process.exitValue());
        output.drain();
        result = new BuildProcess.Result(process.exitValue(), output.tail());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new StagingException("Staging was interrupted", e);
      } finally {
        // the container is gone before anything of its directories is touched
        cleanUp(id, bundle, slot, cgroup, process);
        if (result == null) {
          giveBackQuietly(self);
        }
      }
      List<String> escaping = giveBack(self);
      if (oom) {
        throw new StagingException("Staging exceeded the memory limit of " + maxMemoryMb
            + " MB (the kernel stopped " + tool + " or a process it started: out of memory)");
      }
      if (!escaping.isEmpty()) {
        throw new StagingException("The build left links that point outside the app, which "
            + "a droplet may not hold: " + String.join(", ", escaping.subList(0,
            Math.min(5, escaping.size()))) + (escaping.size() > 5 ? " …" : ""));
      }
      return result;
    }

    private static int[] self() throws StagingException {
      try {
        return Ownership.self();
      } catch (IOException | RuntimeException e) {
        throw new StagingException("Could not tell the stager's own user: " + e.getMessage(),
            e);
      }
    }

    /**
     * Mount points and TMPDIR as plain directories (a previous step of the task may have made
     * them links), then the task's directories handed to its uid.
     */
    private void prepareDirs() throws IOException {
      List<String> dirs = new ArrayList<>(List.of("app", "cache", "tmp"));
      if (config.offline()) {
        dirs.add("npm-cache");
      }
      if (mavenRepo.isPresent()) {
        dirs.add(".m2/repository");
      }
      for (String dir : dirs) {
        plainDirectories(home, dir);
      }
      Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwx------"));
      Ownership.chown(home, uid, uid);
      Ownership.chown(appDir, uid, uid);
      Ownership.chown(cache, uid, uid);
      if (config.offline()) {
        if (!seeded) {
          seedOfflineNpmCache(config.workPath().resolve("cache/npm"), offlineNpmCache);
          seeded = true;
        }
        Ownership.chownExceptLinkedFiles(offlineNpmCache, uid, uid);
      }
    }

    private Process start(List<String> command, Map<String, String> env, String id,
        Path bundle, ContainerNetwork.Attachment slot, StepCgroup cgroup, long limitBytes)
        throws IOException {
      Files.createDirectories(bundle);
      Files.setPosixFilePermissions(bundle, PosixFilePermissions.fromString("rwx------"));
      Files.writeString(bundle.resolve(SLOT_FILE), bootId() + " " + slot.slot() + "\n");
      String hostname = "staging";
      List<ContainerSpec.Mount> mounts = new ArrayList<>();
      mounts.add(new ContainerSpec.Mount(home, HOME, true));
      mounts.add(new ContainerSpec.Mount(appDir, APP, true));
      mounts.add(new ContainerSpec.Mount(cache, CACHE, true));
      if (config.offline()) {
        mounts.add(new ContainerSpec.Mount(offlineNpmCache, OFFLINE_NPM_CACHE, true));
      }
      mavenRepo.ifPresent(repo -> mounts.add(new ContainerSpec.Mount(repo, MAVEN_REPO, false)));
      mounts.add(new ContainerSpec.Mount(BundleFiles.write(bundle, "hosts", "127.0.0.1 localhost\n"
          + "::1 localhost\n" + slot.containerAddress() + " " + hostname + "\n"),
          "/etc/hosts", false));
      mounts.add(new ContainerSpec.Mount(BundleFiles.write(bundle, "hostname", hostname + "\n"),
          "/etc/hostname", false));
      mounts.add(new ContainerSpec.Mount(BundleFiles.write(bundle, "resolv.conf",
          BundleFiles.resolvConf()),
          "/etc/resolv.conf", false));
      List<String> args = new ArrayList<>(List.of("/usr/bin/tini", "-g", "--"));
      args.addAll(command);
      StagerConfig.Isolation iso = config.isolation();
      ContainerSpec spec = new ContainerSpec(hostname, iso.stackPath(), args, env, APP, uid,
          List.of(), mounts, slot.netnsPath(), cgroup.path(),
          new ContainerSpec.Limits(limitBytes, CPU_SHARES, iso.pids(), OPEN_FILES, iso.tmpMb()));
      OciConfig.writeBundle(bundle, spec);
      log.atDebug().setMessage("stager.step.container").addKeyValue("id", id)
          .addKeyValue("uid", uid).addKeyValue("address", slot.containerAddress()).log();
      List<String> argv = new ArrayList<>();
      // --wait: should setsid have to fork, it still stands for the runtime and its status
      argv.addAll(List.of(SETSID.toString(), "--wait"));
      argv.addAll(runtime.runCommand(bundle, id));
      ProcessBuilder pb = new ProcessBuilder(argv)
          .directory(bundle.toFile())
          .redirectErrorStream(true)
          .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
      pb.environment().keySet().retainAll(List.of("PATH"));
      return pb.start();
    }

    /** Kills the container and waits for the runtime to reap it (its status is then known). */
    private void stop(String id, Process process) throws InterruptedException {
      runtime.kill(id, "KILL");
      runtime.delete(id);
      if (!process.waitFor(STOP_WAIT_SECONDS, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(STOP_WAIT_SECONDS, TimeUnit.SECONDS);
      }
    }

    /** Everything of the step but the directories: container, slot, cgroups, bundle. */
    private void cleanUp(String id, Path bundle, ContainerNetwork.Attachment slot,
        StepCgroup cgroup, Process process) {
      if (process != null && process.isAlive()) {
        try {
          stop(id, process);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      runtime.delete(id);
      if (slot != null) {
        network.detach(slot);
      }
      cgroup.remove();
      try {
        FileTrees.deleteRecursively(bundle);
      } catch (IOException e) {
        log.atWarn().setMessage("stager.container.bundle.remove.failed").addKeyValue("id", id)
            .addKeyValue("reason", e.getMessage()).log();
      }
    }

    /** The app directory back to the stager's user, with the links that point outside it. */
    private List<String> giveBack(int[] self) throws StagingException {
      try {
        return Ownership.chownAndFindEscapingLinks(appDir, self[0], self[1]);
      } catch (IOException e) {
        throw new StagingException("Could not take back the app directory after the build: "
            + e.getMessage(), e);
      }
    }

    /** As {@link #giveBack} when the step failed already: the task ends anyway. */
    private void giveBackQuietly(int[] self) {
      try {
        Ownership.chown(appDir, self[0], self[1]);
      } catch (IOException e) {
        log.atWarn().setMessage("stager.container.chown.failed").addKeyValue("dir", appDir)
            .addKeyValue("reason", e.getMessage()).log();
      }
    }

    @Override
    public void close() {
      release(uid, cache);
    }
  }

  /** Where npm (cacache) keeps package contents, by digest: files never changed once there. */
  static final String NPM_CONTENT = "_cacache/content-v2";

  /**
   * An offline stager's shared npm cache ({@code <work_dir>/cache/npm}, which the operator
   * fills) as a task's own copy in {@code dest}. npm writes to its cache even offline (it
   * compacts the index on every read), so the shared one cannot be mounted read-only, and
   * mounted writable one app's build could plant packages for the next. The index (small) is
   * copied; package contents, which cacache never changes in place, are hard links, left owned
   * by the stager: readable, not writable, by the step (a content file of another owner, or
   * one others may not read or may write, is copied instead). Absent: an empty cache.
   */
  static void seedOfflineNpmCache(Path shared, Path dest) throws IOException {
    Files.createDirectories(dest);
    int self = Ownership.self()[0];
    Path content = shared.resolve(NPM_CONTENT);
    Path index = shared.resolve("_cacache/index-v5");
    for (Path from : List.of(content, index)) {
      if (!Files.isDirectory(from, LinkOption.NOFOLLOW_LINKS)) {
        continue;
      }
      try (Stream<Path> walk = Files.walk(from)) {
        for (Path p : walk.toList()) {
          Path to = dest.resolve(shared.relativize(p).toString());
          if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
            Files.createDirectories(to);
          } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
            if (from == content && linkable(p, self)) {
              try {
                Files.createLink(to, p);
              } catch (IOException | UnsupportedOperationException e) {
                Files.copy(p, to); // another file system
              }
            } else {
              Files.copy(p, to);
            }
          }
        }
      }
    }
  }

  /** A file a step can read through a link but not change (which would change the shared). */
  private static boolean linkable(Path p, int self) throws IOException {
    if (!Integer.valueOf(self).equals(Files.getAttribute(p, "unix:uid",
        LinkOption.NOFOLLOW_LINKS))) {
      return false;
    }
    Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS);
    return perms.contains(PosixFilePermission.OTHERS_READ)
        && !perms.contains(PosixFilePermission.GROUP_WRITE)
        && !perms.contains(PosixFilePermission.OTHERS_WRITE);
  }

}
