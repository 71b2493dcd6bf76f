package io.updraft.controller.apps;

import io.updraft.common.protocol.Immutable;
import java.util.List;
import java.util.Map;

/**
 * An app as the controller stores it: the desired state (CF v1 section 10.1), its bits and its
 * routes. Immutable; changes go through {@link AppStore#update}.
 *
 * @param state desired state, {@code STARTED} or {@code STOPPED}
 * @param packageState {@code PENDING} (new bits or bindings), {@code STAGED}, {@code FAILED}
 * @param runCount starts since the droplet last changed; part of {@link #version()}
 * @param lockVersion optimistic lock, {@code meta.version} on the wire
 */
public record App(long id, long ownerId, String name, String framework, String runtime,
    String command, String state, String packageState, int instances, int memoryMb, int diskMb,
    int fds, List<String> env, Map<String, Object> meta, String packageSha1, String dropletSha1,
    int runCount, int lockVersion, long createdAt, long updatedAt, List<String> uris) {

  public static final String STARTED = "STARTED";
  public static final String STOPPED = "STOPPED";
  public static final String PENDING = "PENDING";
  public static final String STAGED = "STAGED";
  public static final String FAILED = "FAILED";

  public App {
    env = Immutable.list(env);
    meta = Immutable.map(meta);
    uris = uris.stream().sorted().toList();
  }

  /**
   * {@code <droplet sha1>-<run count>} (PROTOCOL.md 10.4): every start is a new version, so
   * instances of an older one are extra. Before staging, the package sha1 stands in.
   */
  public String version() {
    String base = dropletSha1 != null ? dropletSha1 : packageSha1 != null ? packageSha1 : "none";
    return base + "-" + runCount;
  }

  public boolean started() {
    return STARTED.equals(state);
  }

  /** A draft for a new app: the store assigns id, times and lock. */
  public static Builder draft(long ownerId, String name) {
    return new App(0, ownerId, name, null, null, null, STOPPED, PENDING, 1, 256, 2048, 256,
        List.of(), Map.of(), null, null, 0, 0, 0, 0, List.of()).toBuilder();
  }

  public Builder toBuilder() {
    return new Builder(this);
  }

  /** Changes to an app, applied to a copy. */
  public static final class Builder {
    private final long id;
    private final long ownerId;
    private final long createdAt;
    private final long updatedAt;
    private final int lockVersion;
    private String name;
    private String framework;
    private String runtime;
    private String command;
    private String state;
    private String packageState;
    private int instances;
    private int memoryMb;
    private int diskMb;
    private int fds;
    private List<String> env;
    private Map<String, Object> meta;
    private String packageSha1;
    private String dropletSha1;
    private int runCount;
    private List<String> uris;

    private Builder(App a) {
      id = a.id;
      ownerId = a.ownerId;
      createdAt = a.createdAt;
      updatedAt = a.updatedAt;
      lockVersion = a.lockVersion;
      name = a.name;
      framework = a.framework;
      runtime = a.runtime;
      command = a.command;
      state = a.state;
      packageState = a.packageState;
      instances = a.instances;
      memoryMb = a.memoryMb;
      diskMb = a.diskMb;
      fds = a.fds;
      env = a.env;
      meta = a.meta;
      packageSha1 = a.packageSha1;
      dropletSha1 = a.dropletSha1;
      runCount = a.runCount;
      uris = a.uris;
    }

    public Builder state(String value) {
      state = value;
      return this;
    }

    public Builder instances(int value) {
      instances = value;
      return this;
    }

    public Builder memoryMb(int value) {
      memoryMb = value;
      return this;
    }

    public Builder env(List<String> value) {
      env = value;
      return this;
    }

    public Builder meta(Map<String, Object> value) {
      meta = value;
      return this;
    }

    public Builder staging(String newFramework, String newRuntime, String newCommand) {
      framework = newFramework;
      runtime = newRuntime;
      command = newCommand;
      return this;
    }

    public Builder uris(List<String> value) {
      uris = value;
      return this;
    }

    /** New bits: staging is needed before the next start. */
    public Builder packageSha1(String sha1) {
      packageSha1 = sha1;
      packageState = PENDING;
      return this;
    }

    public Builder packageState(String value) {
      packageState = value;
      return this;
    }

    /** A new droplet resets the run count; the same droplet started again bumps it. */
    public Builder droplet(String sha1) {
      if (!sha1.equals(dropletSha1)) {
        runCount = 0;
      }
      dropletSha1 = sha1;
      packageState = STAGED;
      return this;
    }

    public Builder runCount(int value) {
      runCount = value;
      return this;
    }

    public App build() {
      return new App(id, ownerId, name, framework, runtime, command, state, packageState,
          instances, memoryMb, diskMb, fds, env, meta, packageSha1, dropletSha1, runCount,
          lockVersion, createdAt, updatedAt, uris);
    }
  }
}
