package io.updraft.dea.isolation;

import io.updraft.dea.DeaConfig;
import io.updraft.dea.instance.Instance;
import io.updraft.dea.process.CgroupMemory;
import io.updraft.dea.process.ProcessLauncher;
import io.updraft.dea.process.UserIsolation;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Instances as processes of this host (development mode, {@code isolation.mode: process}):
 * the {@code startup} script in the instance directory, as its own uid when the DEA is root,
 * in a memory cgroup when one is writable. Nothing keeps an app from the host's loopback or
 * its files beyond Unix permissions.
 */
public final class ProcessBackend implements InstanceBackend {

  private final DeaConfig config;
  private final Optional<CgroupMemory> cgroup;
  private final Optional<UserIsolation> users;

  public ProcessBackend(DeaConfig config, Optional<CgroupMemory> cgroup,
      Optional<UserIsolation> users) {
    this.config = config;
    this.cgroup = cgroup;
    this.users = users;
  }

  @Override
  public String name() {
    return "process";
  }

  public boolean isolatedUsers() {
    return users.isPresent();
  }

  public Optional<CgroupMemory> cgroup() {
    return cgroup;
  }

  @Override
  public void prepare(Instance instance, Collection<Instance> others) {
    if (users.isPresent()) {
      Set<Integer> taken = new HashSet<>();
      others.forEach(i -> {
        if (i.uid() != null && i != instance) {
          taken.add(i.uid());
        }
      });
      instance.uid(users.get().allocate(taken));
    }
  }

  @Override
  public AppView view(Instance instance, String deaHost) {
    return new AppView(deaHost, instance.dir().toString(), config.appPath());
  }

  @Override
  public Process launch(Instance instance, Map<String, String> env) throws IOException {
    Integer uid = instance.uid();
    if (uid != null) {
      UserIsolation.own(instance.dir(), uid);
    }
    Path procs = cgroup.isPresent()
        ? cgroup.get().create(instance.id(), instance.memoryMb() * 1024L * 1024L) : null;
    return ProcessLauncher.launch(instance.dir(), env, instance.port(), procs,
        uid == null ? List.of() : UserIsolation.commandPrefix(uid), instance.limits().fds());
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
    return -1; // RSS of the process tree (the cgroup also counts the DEA's page cache use)
  }

  @Override
  public void release(Instance instance) {
    cgroup.ifPresent(c -> c.remove(instance.id()));
  }

  @Override
  public void reconcile(Collection<Instance> live) {
    Set<String> ids = new HashSet<>();
    live.forEach(i -> ids.add(i.id()));
    cgroup.ifPresent(c -> c.pruneExcept(ids));
  }
}
