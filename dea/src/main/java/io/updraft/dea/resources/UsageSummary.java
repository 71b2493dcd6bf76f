package io.updraft.dea.resources;

import io.updraft.common.protocol.dea.Heartbeat.DeaUsage;
import io.updraft.dea.instance.Instance;
import io.updraft.dea.instance.InstanceRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The DEA's measured use for its heartbeats: the latest usage sample of each live instance
 * (taken by the monitor every interval, off the event loop), summed, with the DEA's capacity
 * beside it. Reads only what is in memory, so it is cheap on the event loop; the file-system
 * size is read once at boot.
 */
public final class UsageSummary {

  private final InstanceRegistry registry;
  private final ResourceManager resources;
  private final long diskTotalMb;
  private final int cores = Runtime.getRuntime().availableProcessors();

  public UsageSummary(InstanceRegistry registry, ResourceManager resources, long diskTotalMb) {
    this.registry = registry;
    this.resources = resources;
    this.diskTotalMb = diskTotalMb;
  }

  /** The size of the file system holding {@code dir}, MB (0 when it cannot be read). Blocking. */
  public static long diskTotalMb(Path dir) {
    try {
      Path existing = dir;
      while (existing != null && !Files.exists(existing)) {
        existing = existing.getParent();
      }
      return existing == null ? 0 : Files.getFileStore(existing).getTotalSpace() / (1024 * 1024);
    } catch (IOException e) {
      return 0;
    }
  }

  public DeaUsage current() {
    double memKb = 0;
    long diskBytes = 0;
    double cpu = 0;
    for (Instance i : registry.all()) {
      Instance.Usage u = i.usage();
      if (u != null && i.state().isLive()) {
        memKb += u.memKb();
        diskBytes += u.diskBytes();
        cpu += u.cpuPercent();
      }
    }
    return new DeaUsage(Math.round(memKb / 1024), diskBytes / (1024 * 1024),
        Math.round(cpu * 10) / 10.0, cores, resources.maxMemoryMb(),
        resources.reservedMemoryMb(), diskTotalMb);
  }
}
