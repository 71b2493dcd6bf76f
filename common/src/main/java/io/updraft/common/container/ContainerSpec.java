package io.updraft.common.container;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What one container runs and may touch: its process (argv, environment, working directory,
 * uid), the stack it runs on, what is mounted into it, its network namespace and its limits.
 * {@link OciConfig} turns it into an OCI runtime {@code config.json}.
 *
 * @param hostname the container's host name ({@code /etc/hostname}, UTS namespace)
 * @param stack the stack root filesystem, mounted read-only ({@code usr}, {@code etc},
 *     {@code var}, {@code opt})
 * @param uid the uid (and gid) the process runs as: never root
 * @param extraGids supplementary groups (e.g. a shared filesystem service's group)
 * @param netns path of the network namespace to join ({@code /run/netns/NAME}), or null for
 *     a new empty one (loopback only)
 * @param cgroupsPath the container's cgroup, relative to each hierarchy's root
 */
public record ContainerSpec(
    String hostname,
    Path stack,
    List<String> args,
    Map<String, String> env,
    String cwd,
    int uid,
    List<Integer> extraGids,
    List<Mount> mounts,
    Path netns,
    String cgroupsPath,
    Limits limits) {

  public ContainerSpec {
    args = List.copyOf(args);
    env = Map.copyOf(env);
    extraGids = List.copyOf(extraGids);
    mounts = List.copyOf(mounts);
    if (uid == 0) {
      throw new IllegalArgumentException("a container never runs as root");
    }
  }

  /** A bind mount of a host path (file or directory) into the container. */
  public record Mount(Path source, String destination, boolean writable) {
  }

  /**
   * @param memoryBytes hard memory limit, 0 for none (the caller may limit a parent cgroup)
   * @param cpuShares relative CPU weight (cgroup v1 shares; 1024 is one full share)
   * @param pids most processes and threads at once
   * @param openFiles RLIMIT_NOFILE
   * @param tmpMb size of the private {@code /tmp}
   */
  public record Limits(long memoryBytes, long cpuShares, long pids, int openFiles, int tmpMb) {
  }
}
