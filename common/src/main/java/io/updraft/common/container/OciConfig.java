package io.updraft.common.container;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.updraft.common.protocol.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

/**
 * Writes an OCI bundle: {@code config.json} (runtime-spec 1.0) and a root file system
 * skeleton. The root is an empty, read-only directory of the bundle's own: the stack's
 * {@code /usr}, {@code /etc}, {@code /var} and {@code /opt} are bind-mounted into it
 * read-only, {@code /bin}, {@code /lib}, {@code /lib64} and {@code /sbin} are the
 * merged-/usr symlinks, {@code /tmp} and {@code /run} are private tmpfs. So the shared stack
 * is never written, even where the runtime makes mount points, and nothing of the host is in
 * the container but what a mount names.
 *
 * <p>The process has no capabilities at all, {@code no_new_privileges}, and its own mount,
 * PID, IPC, UTS and network namespaces; {@code /proc/kcore}-style files are masked and
 * {@code /proc/sys} is read-only, as in runc's default spec. Blocking.
 */
public final class OciConfig {

  private static final List<String> STACK_DIRS = List.of("usr", "etc", "var", "opt");
  private static final Map<String, String> MERGED_USR = Map.of("bin", "usr/bin", "lib",
      "usr/lib", "lib64", "usr/lib64", "sbin", "usr/sbin");
  private static final List<String> MOUNT_POINTS = List.of("usr", "etc", "var", "opt", "proc",
      "dev", "sys", "tmp", "run", "home/vcap", "root");
  private static final List<String> MASKED = List.of("/proc/acpi", "/proc/asound",
      "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
      "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware",
      "/sys/fs/cgroup", "/sys/kernel");
  private static final List<String> READONLY = List.of("/proc/bus", "/proc/fs", "/proc/irq",
      "/proc/sys", "/proc/sysrq-trigger");

  private static final List<String> DENIED_SYSCALLS = List.of("unshare", "setns", "mount",
      "umount2", "pivot_root", "move_mount", "open_tree", "fsopen", "fsconfig", "fsmount",
      "fspick", "mount_setattr", "keyctl", "add_key", "request_key", "bpf", "perf_event_open",
      "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module",
      "open_by_handle_at", "userfaultfd", "syslog", "acct", "swapon", "swapoff", "reboot",
      "settimeofday", "clock_settime", "clock_adjtime", "adjtimex", "iopl", "ioperm",
      "lookup_dcookie", "quotactl");
  private static final int EPERM = 1;
  private static final int ENOSYS = 38;
  private static final long CLONE_NEWUSER = 0x10000000L;

  private OciConfig() {
  }

  /** Writes {@code bundle/config.json} and {@code bundle/rootfs}; the bundle is 0700. */
  public static void writeBundle(Path bundle, ContainerSpec spec) throws IOException {
    Files.createDirectories(bundle);
    Files.setPosixFilePermissions(bundle, PosixFilePermissions.fromString("rwx------"));
    Path rootfs = bundle.resolve("rootfs");
    Files.createDirectories(rootfs);
    for (String dir : MOUNT_POINTS) {
      Files.createDirectories(rootfs.resolve(dir));
    }
    for (Map.Entry<String, String> link : MERGED_USR.entrySet()) {
      Path l = rootfs.resolve(link.getKey());
      if (!Files.exists(l, LinkOption.NOFOLLOW_LINKS)) {
        Files.createSymbolicLink(l, Path.of(link.getValue()));
      }
    }
    Files.setPosixFilePermissions(rootfs, PosixFilePermissions.fromString("rwxr-xr-x"));
    // runc gives a tmpfs the mode of its mount point, whatever the mount options say; one
    // uid runs in the container, so the sticky bit (which java.nio cannot set) adds nothing
    Files.setPosixFilePermissions(rootfs.resolve("tmp"),
        PosixFilePermissions.fromString("rwxrwxrwx"));
    Files.write(bundle.resolve("config.json"), Json.encode(config(spec)));
  }

  /** The config.json document for {@code spec}; the root is {@code rootfs} beside it. */
  static ObjectNode config(ContainerSpec spec) {
    ObjectNode c = Json.mapper().createObjectNode();
    c.put("ociVersion", "1.0.2");
    ObjectNode process = c.putObject("process");
    process.put("terminal", false);
    ObjectNode user = process.putObject("user");
    user.put("uid", spec.uid());
    user.put("gid", spec.uid());
    if (!spec.extraGids().isEmpty()) {
      ArrayNode gids = user.putArray("additionalGids");
      spec.extraGids().forEach(gids::add);
    }
    ArrayNode args = process.putArray("args");
    spec.args().forEach(args::add);
    ArrayNode env = process.putArray("env");
    spec.env().forEach((k, v) -> env.add(k + "=" + v));
    process.put("cwd", spec.cwd());
    // no capabilities in any set: no raw sockets, no mounts, no chown, no kill of others
    ObjectNode caps = process.putObject("capabilities");
    for (String set : List.of("bounding", "effective", "inheritable", "permitted", "ambient")) {
      caps.putArray(set);
    }
    ArrayNode rlimits = process.putArray("rlimits");
    ObjectNode nofile = rlimits.addObject();
    nofile.put("type", "RLIMIT_NOFILE");
    nofile.put("hard", spec.limits().openFiles());
    nofile.put("soft", spec.limits().openFiles());
    process.put("noNewPrivileges", true);

    ObjectNode root = c.putObject("root");
    root.put("path", "rootfs");
    root.put("readonly", true);
    c.put("hostname", spec.hostname());

    ArrayNode mounts = c.putArray("mounts");
    mount(mounts, "/proc", "proc", "proc", List.of("nosuid", "noexec", "nodev"));
    mount(mounts, "/dev", "tmpfs", "tmpfs",
        List.of("nosuid", "strictatime", "mode=755", "size=65536k"));
    mount(mounts, "/dev/pts", "devpts", "devpts", List.of("nosuid", "noexec", "newinstance",
        "ptmxmode=0666", "mode=0620"));
    mount(mounts, "/dev/shm", "tmpfs", "shm",
        List.of("nosuid", "noexec", "nodev", "mode=1777", "size=65536k"));
    mount(mounts, "/dev/mqueue", "mqueue", "mqueue", List.of("nosuid", "noexec", "nodev"));
    mount(mounts, "/sys", "sysfs", "sysfs", List.of("nosuid", "noexec", "nodev", "ro"));
    for (String dir : STACK_DIRS) {
      mount(mounts, "/" + dir, "bind", spec.stack().resolve(dir).toString(),
          List.of("rbind", "ro", "nosuid", "nodev"));
    }
    mount(mounts, "/tmp", "tmpfs", "tmpfs", List.of("nosuid", "nodev", "mode=1777",
        "size=" + spec.limits().tmpMb() + "m"));
    mount(mounts, "/run", "tmpfs", "tmpfs", List.of("nosuid", "nodev", "mode=755",
        "size=1m"));
    for (ContainerSpec.Mount m : spec.mounts()) {
      mount(mounts, m.destination(), "bind", m.source().toString(), m.writable()
          ? List.of("rbind", "rw", "nosuid", "nodev") : List.of("rbind", "ro", "nosuid",
          "nodev"));
    }

    ObjectNode linux = c.putObject("linux");
    ArrayNode namespaces = linux.putArray("namespaces");
    for (String ns : List.of("pid", "ipc", "uts", "mount", "network", "cgroup")) {
      ObjectNode n = namespaces.addObject();
      n.put("type", ns);
      if (ns.equals("network") && spec.netns() != null) {
        n.put("path", spec.netns().toString());
      }
    }
    linux.put("cgroupsPath", spec.cgroupsPath());
    ObjectNode resources = linux.putObject("resources");
    ArrayNode devices = resources.putArray("devices");
    ObjectNode denyAll = devices.addObject();
    denyAll.put("allow", false);
    denyAll.put("access", "rwm");
    if (spec.limits().memoryBytes() > 0) {
      ObjectNode memory = resources.putObject("memory");
      memory.put("limit", spec.limits().memoryBytes());
      memory.put("swap", spec.limits().memoryBytes());
    }
    resources.putObject("cpu").put("shares", spec.limits().cpuShares());
    resources.putObject("pids").put("limit", spec.limits().pids());
    seccomp(linux.putObject("seccomp"));
    ArrayNode masked = linux.putArray("maskedPaths");
    MASKED.forEach(masked::add);
    ArrayNode readonly = linux.putArray("readonlyPaths");
    READONLY.forEach(readonly::add);
    return c;
  }

  /**
   * Everything is allowed but what only serves to widen the kernel surface an app can reach:
   * new user namespaces (in which an app would hold capabilities: {@code unshare},
   * {@code clone} with {@code CLONE_NEWUSER}; {@code clone3} answers ENOSYS so libc falls back
   * to {@code clone}), other namespaces, mounts, keyrings, BPF, perf, modules, clocks, swap,
   * reboot. Most of these need a capability the process lacks anyway; the filter holds even
   * if one were granted by mistake.
   */
  private static void seccomp(ObjectNode seccomp) {
    seccomp.put("defaultAction", "SCMP_ACT_ALLOW");
    ArrayNode arches = seccomp.putArray("architectures");
    List.of("SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32", "SCMP_ARCH_AARCH64",
        "SCMP_ARCH_ARM").forEach(arches::add);
    ArrayNode syscalls = seccomp.putArray("syscalls");
    ObjectNode denied = syscalls.addObject();
    ArrayNode names = denied.putArray("names");
    DENIED_SYSCALLS.forEach(names::add);
    denied.put("action", "SCMP_ACT_ERRNO");
    denied.put("errnoRet", EPERM);
    ObjectNode clone = syscalls.addObject();
    clone.putArray("names").add("clone");
    clone.put("action", "SCMP_ACT_ERRNO");
    clone.put("errnoRet", EPERM);
    ObjectNode arg = clone.putArray("args").addObject();
    arg.put("index", 0);
    arg.put("value", CLONE_NEWUSER);
    arg.put("valueTwo", CLONE_NEWUSER);
    arg.put("op", "SCMP_CMP_MASKED_EQ");
    ObjectNode clone3 = syscalls.addObject();
    clone3.putArray("names").add("clone3");
    clone3.put("action", "SCMP_ACT_ERRNO");
    clone3.put("errnoRet", ENOSYS);
  }

  private static void mount(ArrayNode mounts, String destination, String type, String source,
      List<String> options) {
    ObjectNode m = mounts.addObject();
    m.put("destination", destination);
    m.put("type", type);
    m.put("source", source);
    ArrayNode o = m.putArray("options");
    options.forEach(o::add);
  }
}
