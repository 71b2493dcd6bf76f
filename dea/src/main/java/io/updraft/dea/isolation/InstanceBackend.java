package io.updraft.dea.isolation;

import io.updraft.dea.instance.Instance;
import java.io.IOException;
import java.util.Collection;
import java.util.Map;

/**
 * How an instance's process is run and torn down: in a container ({@link ContainerBackend})
 * or as a process of the host ({@link ProcessBackend}, a development mode). The instance
 * manager drives it; every method is blocking and is called from a worker.
 */
public interface InstanceBackend {

  /** {@code container} or {@code process}, as {@code /varz} reports it. */
  String name();

  /**
   * Readies what the instance needs before its environment is built and its files are given
   * to it (uid, network). On failure nothing the call took is left held.
   */
  void prepare(Instance instance, Collection<Instance> others) throws IOException;

  /** What the app sees of itself: the address it listens on, its home and {@code PATH}. */
  AppView view(Instance instance, String deaHost);

  /** Starts the instance; the returned process ends when the instance has ended. */
  Process launch(Instance instance, Map<String, String> env) throws IOException;

  /** Why the instance ended, from its exit status (null when unknown, e.g. after adoption). */
  String exitReason(Instance instance, Integer exitStatus);

  /** Memory in use, KB, from the kernel's accounting; -1 when the backend has none. */
  long memoryKb(Instance instance);

  /** Frees what the instance held (container, network, cgroup) once its process is gone. */
  void release(Instance instance);

  /**
   * After a restart: {@code live} are the instances whose process still runs; whatever the
   * backend holds for anything else of its own is freed, and what a live one needs is put back.
   */
  void reconcile(Collection<Instance> live);

  /** Frees what the backend holds for no instance (at DEA stop); instances keep theirs. */
  default void close() {
  }

  /** The app's own view of its instance. */
  record AppView(String host, String home, String path) {
  }
}
