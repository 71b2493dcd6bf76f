package io.updraft.dea.process;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Memory limits through cgroups when the DEA can write to them: one cgroup per instance under
 * {@code updraft-dea/}, its limit set to the instance's, and the OOM-kill counter read to
 * tell an OOM kill from a crash. Cgroup v2 (the unified hierarchy: {@code memory.max},
 * {@code memory.events}) is preferred; v1 ({@code <root>/memory}: {@code
 * memory.limit_in_bytes}, {@code memory.oom_control}) is used where that is what the machine
 * has. When neither is writable, {@link #detect} returns empty and the DEA falls back to
 * watching RSS. Blocking.
 */
public final class CgroupMemory {

  private static final Logger log = LoggerFactory.getLogger(CgroupMemory.class);

  /** Which hierarchy, with its file names. */
  public enum Version {
    V2("memory.max", "memory.events"),
    V1("memory.limit_in_bytes", "memory.oom_control");

    private final String limitFile;
    private final String eventsFile;

    Version(String limitFile, String eventsFile) {
      this.limitFile = limitFile;
      this.eventsFile = eventsFile;
    }
  }

  private final Path parent;
  private final Version version;

  private CgroupMemory(Path parent, Version version) {
    this.parent = parent;
    this.version = version;
  }

  public Version version() {
    return version;
  }

  /** {@code root} is the cgroup mount, normally {@code /sys/fs/cgroup}. */
  public static Optional<CgroupMemory> detect(Path root) {
    Optional<CgroupMemory> v2 = tryV2(root);
    if (v2.isPresent()) {
      return v2;
    }
    Optional<CgroupMemory> v1 = tryV1(root.resolve("memory"));
    if (v1.isEmpty()) {
      log.atInfo().setMessage("dea.cgroup.unavailable")
          .addKeyValue("reason", "no writable memory cgroup (v2 or v1) under " + root).log();
    }
    return v1;
  }

  private static Optional<CgroupMemory> tryV2(Path root) {
    try {
      Path controllers = root.resolve("cgroup.controllers");
      if (!Files.isRegularFile(controllers)
          || !Files.readString(controllers).contains("memory")) {
        return Optional.empty();
      }
      Path parent = root.resolve("updraft-dea");
      Files.createDirectories(parent);
      Files.writeString(root.resolve("cgroup.subtree_control"), "+memory");
      Files.writeString(parent.resolve("cgroup.subtree_control"), "+memory");
      return enabled(parent, Version.V2);
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  private static Optional<CgroupMemory> tryV1(Path memoryRoot) {
    try {
      if (!Files.isRegularFile(memoryRoot.resolve("memory.limit_in_bytes"))) {
        return Optional.empty();
      }
      Path parent = memoryRoot.resolve("updraft-dea");
      Files.createDirectories(parent);
      if (!Files.isRegularFile(parent.resolve("memory.limit_in_bytes"))) {
        return Optional.empty();
      }
      return enabled(parent, Version.V1);
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  private static Optional<CgroupMemory> enabled(Path parent, Version version) {
    log.atInfo().setMessage("dea.cgroup.enabled").addKeyValue("path", parent)
        .addKeyValue("version", version).log();
    return Optional.of(new CgroupMemory(parent, version));
  }

  /** Creates the instance's cgroup with its limit; returns its {@code cgroup.procs}. */
  public Path create(String instanceId, long limitBytes) throws IOException {
    Path group = parent.resolve(instanceId);
    Files.createDirectories(group);
    Files.writeString(group.resolve(version.limitFile), String.valueOf(limitBytes));
    try {
      // no swapping past the limit: the limit is the memory the instance has
      if (version == Version.V2) {
        Files.writeString(group.resolve("memory.swap.max"), "0");
      } else {
        Files.writeString(group.resolve("memory.swappiness"), "0");
      }
    } catch (IOException e) {
      // no swap accounting on this kernel: the limit alone still holds
    }
    return group.resolve("cgroup.procs");
  }

  /**
   * True when the kernel OOM-killed something in the instance's cgroup. Under cgroup v1 the
   * kill is counted in the cgroup whose process died, which a container runtime removes with
   * its container; so a SIGKILL exit ({@code 137}) of an instance whose memory hit its limit
   * here ({@code memory.failcnt}) counts too.
   */
  public boolean oomKilled(String instanceId, Integer exitStatus) {
    Path group = parent.resolve(instanceId);
    try {
      for (String line : Files.readAllLines(group.resolve(version.eventsFile))) {
        if (line.startsWith("oom_kill ") && Long.parseLong(line.substring(9).trim()) > 0) {
          return true;
        }
      }
      if (version == Version.V1 && exitStatus != null && exitStatus == 137) {
        return Long.parseLong(Files.readString(group.resolve("memory.failcnt")).trim()) > 0;
      }
    } catch (IOException | RuntimeException e) {
      // no cgroup for it
    }
    return false;
  }

  /** Memory the instance uses (KB), less reclaimable file cache; -1 when unknown. */
  public long usageKb(String instanceId) {
    Path group = parent.resolve(instanceId);
    try {
      String usageFile = version == Version.V2 ? "memory.current" : "memory.usage_in_bytes";
      String inactiveKey = version == Version.V2 ? "inactive_file " : "total_inactive_file ";
      long usage = Long.parseLong(Files.readString(group.resolve(usageFile)).trim());
      long inactive = 0;
      for (String line : Files.readAllLines(group.resolve("memory.stat"))) {
        if (line.startsWith(inactiveKey)) {
          inactive = Long.parseLong(line.substring(inactiveKey.length()).trim());
        }
      }
      return Math.max(0, usage - inactive) / 1024;
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** Removes instance cgroups no live instance owns (left by a crash of the DEA). */
  public void pruneExcept(java.util.Set<String> instanceIds) {
    try (java.util.stream.Stream<Path> groups = Files.list(parent)) {
      groups.filter(Files::isDirectory)
          .filter(g -> !instanceIds.contains(g.getFileName().toString()))
          .forEach(g -> remove(g.getFileName().toString()));
    } catch (IOException e) {
      log.atDebug().setMessage("dea.cgroup.prune.failed").addKeyValue("reason", e.getMessage())
          .log();
    }
  }

  public void remove(String instanceId) {
    try {
      Files.deleteIfExists(parent.resolve(instanceId).resolve("c"));
      Files.deleteIfExists(parent.resolve(instanceId));
    } catch (IOException e) {
      log.atDebug().setMessage("dea.cgroup.remove.failed").addKeyValue("instance", instanceId)
          .addKeyValue("reason", e.getMessage()).log();
    }
  }
}
