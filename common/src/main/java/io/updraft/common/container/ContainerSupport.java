package io.updraft.common.container;

import io.updraft.common.files.FileTrees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Whether containers can run here, and on what: as root, with a stack whose init and shell
 * are there, with {@code ip} and {@code iptables} for the network, and an OCI runtime that
 * really runs a container on this kernel (a probe container that runs {@code true}; e.g. crun
 * 1.8 refuses a cgroup v1/v2 hybrid that runc accepts). The answer carries the reason either
 * way, for the one log line and {@code /varz}. Blocking.
 */
public final class ContainerSupport {

  /** The outcome: a runtime to use, or why there is none. */
  public record Detection(OciRuntime runtime, String reason) {
    public boolean available() {
      return runtime != null;
    }
  }

  private ContainerSupport() {
  }

  /**
   * @param runtimeChoice {@code auto} (crun, then runc), {@code crun} or {@code runc}
   * @param stack the stack root filesystem
   * @param stateRoot the runtime's state directory for this component
   * @param work a private directory for the probe's bundle
   */
  public static Detection detect(String runtimeChoice, Path stack, Path stateRoot, Path work) {
    String problem = hostProblem(stack);
    if (problem != null) {
      return new Detection(null, problem);
    }
    List<String> names = "auto".equals(runtimeChoice) ? OciRuntime.CANDIDATES
        : List.of(runtimeChoice);
    List<String> refusals = new ArrayList<>();
    for (String name : names) {
      Path binary = OciRuntime.find(name);
      if (binary == null) {
        refusals.add(name + " not found");
        continue;
      }
      OciRuntime runtime = new OciRuntime(name, binary, stateRoot);
      String failure = probe(runtime, stack, work);
      if (failure == null) {
        return new Detection(runtime, name + " runs containers on stack " + stack);
      }
      refusals.add(name + ": " + failure);
    }
    return new Detection(null, String.join("; ", refusals));
  }

  static String hostProblem(Path stack) {
    try {
      Object uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
      if (!Integer.valueOf(0).equals(uid)) {
        return "not running as root";
      }
    } catch (IOException | UnsupportedOperationException e) {
      return "cannot tell the user: " + e.getMessage();
    }
    if (!Files.isExecutable(stack.resolve("usr/bin/tini"))
        || !Files.isExecutable(stack.resolve("usr/bin/sh"))) {
      return "no stack at " + stack + " (build it with scripts/build-stack)";
    }
    for (String tool : List.of("ip", "iptables", "setsid")) {
      if (OciRuntime.find(tool) == null) {
        return tool + " not found";
      }
    }
    return null;
  }

  /** Runs {@code true} in a container on the stack; null when it worked, else why not. */
  static String probe(OciRuntime runtime, Path stack, Path work) {
    String id = "updraft-probe-" + ProcessHandle.current().pid();
    Path bundle = work.resolve(id);
    try {
      runtime.prepare();
      ContainerSpec spec = new ContainerSpec("probe", stack, List.of("/usr/bin/true"), Map.of(
          "PATH", "/usr/bin:/bin"), "/", 65534, List.of(), List.of(), null, "/" + id,
          new ContainerSpec.Limits(64L << 20, 256, 16, 64, 1));
      OciConfig.writeBundle(bundle, spec);
      runtime.delete(id);
      List<String> command = new ArrayList<>(runtime.runCommand(bundle, id));
      OciRuntime.Result r = OciRuntime.exec(command);
      if (r.exitCode() != 0) {
        String out = r.output().isBlank() ? "exit " + r.exitCode() : r.output();
        int nl = out.lastIndexOf('\n');
        return nl < 0 ? out : out.substring(nl + 1);
      }
      return null;
    } catch (IOException e) {
      return e.getMessage();
    } finally {
      runtime.delete(id);
      try {
        FileTrees.deleteRecursively(bundle);
      } catch (IOException e) {
        // a probe bundle left behind is overwritten by the next probe
      }
    }
  }
}
