package io.updraft.dea.isolation;

import io.updraft.common.container.BundleFiles;
import io.updraft.common.container.ContainerNetwork;
import io.updraft.common.container.ContainerSpec;
import io.updraft.common.container.OciConfig;
import io.updraft.common.container.OciRuntime;
import io.updraft.common.container.WarmSlots;
import io.updraft.common.files.FileTrees;
import io.updraft.common.protocol.dea.ServiceBinding;
import io.updraft.dea.DeaConfig;
import io.updraft.dea.instance.Instance;
import io.updraft.dea.process.CgroupMemory;
import io.updraft.dea.process.UserIsolation;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Each instance in its own container on an OCI runtime: the droplet at {@code /home/vcap}
 * (writable only there and in a private {@code /tmp}), the shared stack read-only around it,
 * its own mount, PID, IPC, UTS and network namespaces, no capabilities, and cgroup limits on
 * memory (an OOM kill is the crash reason "out of memory"), CPU weight and processes. Its
 * network is a {@code /30} of {@code isolation.network}; its port is published on the DEA
 * host's addresses under the same number, so {@code router.register} names the DEA host as
 * before. When the DEA's host is a loopback address (a one-machine cloud), which no DNAT rule
 * serves, the instance is registered at its container address instead.
 *
 * <p>A container is run by the runtime in the foreground, in its own session: the runtime's
 * process is the one the DEA watches, it outlives a DEA restart, and its exit status is the
 * app's. Bundles live in {@code <base_dir>/containers/<instance id>} (0700: the config holds
 * the app's service credentials), the runtime's state in {@code <base_dir>/containers/.runtime}.
 */
public final class ContainerBackend implements InstanceBackend {

  private static final Logger log = LoggerFactory.getLogger(ContainerBackend.class);
  static final String HOME = "/home/vcap";
  private static final String PATH = "/usr/local/bin:/usr/bin:/bin";
  private static final Path SETSID = Path.of("/usr/bin/setsid");
  private static final Path CGROUP_ROOT = Path.of("/sys/fs/cgroup");
  /** Network slots kept connected ahead of starts. */
  private static final int WARM_SLOTS = 2;
  /** One full CPU share per GB of memory limit, as warden weighted instances. */
  private static final long SHARES_PER_GB = 1024;

  private final DeaConfig.Isolation config;
  private final OciRuntime runtime;
  private final ContainerNetwork network;
  private final WarmSlots slots;
  private final Optional<CgroupMemory> cgroup;
  private final UserIsolation uids;
  private final Path bundles;
  private final boolean loopbackHost;

  public ContainerBackend(DeaConfig.Isolation config, OciRuntime runtime,
      ContainerNetwork network, Optional<CgroupMemory> cgroup, Path bundles, String deaHost) {
    this.config = config;
    this.runtime = runtime;
    this.network = network;
    this.slots = new WarmSlots(network, WARM_SLOTS, bundles.resolve(".idle-slots"));
    this.cgroup = cgroup;
    this.uids = new UserIsolation(config.uidBase(), config.uidCount());
    this.bundles = bundles;
    this.loopbackHost = isLoopback(deaHost);
  }

  @Override
  public String name() {
    return "container";
  }

  public OciRuntime runtime() {
    return runtime;
  }

  /** Host rules and directories; once at start. */
  public void prepareHost() throws IOException {
    Files.createDirectories(bundles);
    Files.setPosixFilePermissions(bundles, PosixFilePermissions.fromString("rwx------"));
    runtime.prepare();
    network.prepareHost();
    slots.start();
  }

  /** Disconnects the slots kept ready (the instances' own stay with them). */
  @Override
  public void close() {
    slots.close();
  }

  @Override
  public void prepare(Instance instance, Collection<Instance> others) throws IOException {
    Set<Integer> taken = new HashSet<>();
    others.forEach(i -> {
      if (i.uid() != null && i != instance) {
        taken.add(i.uid());
      }
    });
    instance.uid(uids.allocate(taken));
    ContainerNetwork.Attachment a = slots.take();
    instance.netSlot(a.slot());
    if (loopbackHost) {
      instance.address(a.containerAddress());
    }
  }

  @Override
  public AppView view(Instance instance, String deaHost) {
    return new AppView(attachment(instance).containerAddress(), HOME, PATH);
  }

  @Override
  public Process launch(Instance instance, Map<String, String> env) throws IOException {
    int uid = instance.uid();
    ContainerNetwork.Attachment a = attachment(instance);
    Path bundle = bundles.resolve(instance.id());
    Files.createDirectories(instance.dir().resolve("logs"));
    Files.createDirectories(instance.dir().resolve("tmp"));
    UserIsolation.own(instance.dir(), uid);
    if (instance.port() != null) {
      network.publish(a, instance.port());
    }
    network.allowHostPorts(a, config.allowedHostPorts());
    long limitBytes = instance.memoryMb() * 1024L * 1024L;
    if (cgroup.isPresent()) {
      // the limit on a parent the DEA owns: its OOM record outlives the runtime's own cgroup
      cgroup.get().create(instance.id(), limitBytes);
    }
    Files.createDirectories(bundle);
    Files.setPosixFilePermissions(bundle, PosixFilePermissions.fromString("rwx------"));
    String hostname = instance.id().substring(0, Math.min(12, instance.id().length()));
    List<ContainerSpec.Mount> mounts = new ArrayList<>();
    mounts.add(new ContainerSpec.Mount(instance.dir(), HOME, true));
    mounts.add(new ContainerSpec.Mount(BundleFiles.write(bundle, "hosts",
        "127.0.0.1 localhost\n::1 localhost\n"
        + a.containerAddress() + " " + hostname + "\n"), "/etc/hosts", false));
    mounts.add(new ContainerSpec.Mount(BundleFiles.write(bundle, "hostname", hostname + "\n"),
        "/etc/hostname", false));
    mounts.add(new ContainerSpec.Mount(BundleFiles.write(bundle, "resolv.conf",
        BundleFiles.resolvConf()),
        "/etc/resolv.conf", false));
    List<Integer> gids = new ArrayList<>();
    for (Path dir : filesystemServiceDirs(instance)) {
      int gid = FilesystemShare.share(dir, config.uidBase() + config.uidCount());
      gids.add(gid);
      mounts.add(new ContainerSpec.Mount(dir, dir.toString(), true));
    }
    // the app's uid has a name and a home: Java's user.home, Python's getpass, Node's
    // os.userInfo() read them from here
    StringBuilder group = new StringBuilder("root:x:0:\nvcap:x:" + uid + ":\n");
    gids.forEach(g -> group.append("share").append(g).append(":x:").append(g)
        .append(":vcap\n"));
    mounts.add(new ContainerSpec.Mount(BundleFiles.write(bundle, "passwd",
        "root:x:0:0:root:/root:/usr/sbin/nologin\nvcap:x:" + uid + ":" + uid
            + "::" + HOME + ":/bin/sh\n"), "/etc/passwd", false));
    mounts.add(new ContainerSpec.Mount(BundleFiles.write(bundle, "group", group.toString()),
        "/etc/group",
        false));
    List<String> args = new ArrayList<>(List.of("/usr/bin/tini", "-g", "--", "/bin/sh", "-c",
        // group-writable files, so the instances of an app share a filesystem service's files
        "umask 0002 && exec \"$@\"", "startup", HOME + "/startup"));
    if (instance.port() != null) {
      args.add("-p");
      args.add(String.valueOf(instance.port()));
    }
    ContainerSpec spec = new ContainerSpec(hostname, config.stackPath(), args, env, HOME, uid,
        gids, mounts, a.netnsPath(), "/updraft-dea/" + instance.id() + "/c",
        new ContainerSpec.Limits(cgroup.isPresent() ? 0 : limitBytes,
            Math.max(2, instance.memoryMb() * SHARES_PER_GB / 1024), config.pids(),
            instance.limits().fds(), config.tmpMb()));
    OciConfig.writeBundle(bundle, spec);
    runtime.delete(instance.id());
    Path logs = instance.dir().resolve("logs");
    List<String> command = new ArrayList<>();
    command.add(SETSID.toString());
    command.addAll(runtime.runCommand(bundle, instance.id()));
    ProcessBuilder pb = new ProcessBuilder(command)
        .directory(bundle.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .redirectOutput(ProcessBuilder.Redirect.appendTo(logs.resolve("stdout.log").toFile()))
        .redirectError(ProcessBuilder.Redirect.appendTo(logs.resolve("stderr.log").toFile()));
    pb.environment().keySet().retainAll(List.of("PATH"));
    return pb.start();
  }

  @Override
  public String exitReason(Instance instance, Integer exitStatus) {
    if (cgroup.isPresent() && cgroup.get().oomKilled(instance.id(), exitStatus)) {
      return "out of memory";
    }
    return exitStatus != null ? "app exited with status " + exitStatus : "app exited";
  }

  @Override
  public long memoryKb(Instance instance) {
    return cgroup.map(c -> c.usageKb(instance.id())).orElse(-1L);
  }

  @Override
  public void release(Instance instance) {
    runtime.delete(instance.id());
    Integer slot = instance.takeNetSlot();
    if (slot != null) {
      network.detach(network.attachment(slot));
    }
    removeCgroups(instance.id());
    try {
      FileTrees.deleteRecursively(bundles.resolve(instance.id()));
    } catch (IOException e) {
      log.atWarn().setMessage("dea.container.bundle.remove.failed")
          .addKeyValue("instance", instance.id()).addKeyValue("reason", e.getMessage()).log();
    }
  }

  @Override
  public void reconcile(Collection<Instance> live) {
    Set<String> ids = new HashSet<>();
    for (Instance i : live) {
      ids.add(i.id());
      if (i.netSlot() == null) {
        continue;
      }
      try {
        if (i.port() != null && !network.published(attachment(i), i.port())) {
          network.publish(attachment(i), i.port());
        }
        if (!network.allowed(attachment(i), config.allowedHostPorts())) {
          network.allowHostPorts(attachment(i), config.allowedHostPorts());
        }
      } catch (IOException e) {
        log.atWarn().setMessage("dea.container.publish.failed").addKeyValue("instance", i.id())
            .addKeyValue("reason", e.getMessage()).log();
      }
    }
    for (String id : runtime.list()) {
      if (!ids.contains(id)) {
        runtime.delete(id);
      }
    }
    if (Files.isDirectory(bundles)) {
      try (Stream<Path> dirs = Files.list(bundles)) {
        for (Path d : dirs.toList()) {
          String id = d.getFileName().toString();
          if (!id.startsWith(".") && !ids.contains(id)) {
            removeCgroups(id);
            FileTrees.deleteRecursively(d);
          }
        }
      } catch (IOException e) {
        log.atWarn().setMessage("dea.container.prune.failed").addKeyValue("reason",
            e.getMessage()).log();
      }
    }
    cgroup.ifPresent(c -> c.pruneExcept(ids));
  }

  private ContainerNetwork.Attachment attachment(Instance instance) {
    if (instance.netSlot() == null) {
      throw new IllegalStateException("instance " + instance.id() + " has no network slot");
    }
    return network.attachment(instance.netSlot());
  }

  /** The runtime's cgroup and the DEA's parent of it, in every hierarchy (v1) or the one (v2). */
  private static void removeCgroups(String instanceId) {
    List<Path> parents = new ArrayList<>();
    parents.add(CGROUP_ROOT.resolve("updraft-dea").resolve(instanceId));
    try (Stream<Path> hierarchies = Files.list(CGROUP_ROOT)) {
      hierarchies.filter(h -> Files.isDirectory(h, LinkOption.NOFOLLOW_LINKS))
          .forEach(h -> parents.add(h.resolve("updraft-dea").resolve(instanceId)));
    } catch (IOException e) {
      return;
    }
    for (Path p : parents) {
      try {
        Files.deleteIfExists(p.resolve("c"));
        Files.deleteIfExists(p);
      } catch (IOException e) {
        // still has processes (being killed) or not ours: the next prune takes it
      }
    }
  }

  /** Directories of bound filesystem services ({@code credentials.dir}) that exist here. */
  static List<Path> filesystemServiceDirs(Instance instance) {
    List<Path> dirs = new ArrayList<>();
    for (ServiceBinding s : instance.request().services()) {
      String label = s.label() == null ? "" : s.label();
      boolean filesystem = "filesystem".equals(s.vendor()) || label.startsWith("filesystem");
      if (filesystem && s.credentials().get("dir") instanceof String dir && dir.startsWith("/")) {
        Path p = Path.of(dir).normalize();
        if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
          dirs.add(p);
        }
      }
    }
    return dirs;
  }

  private static boolean isLoopback(String host) {
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (IOException e) {
      return false;
    }
  }
}
