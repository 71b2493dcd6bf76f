package io.updraft.dea.instance;

import io.updraft.common.protocol.dea.DeaStartRequest;
import io.updraft.common.protocol.dea.Limits;
import io.updraft.common.protocol.droplet.ExitReason;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * One app instance on this DEA: what the controller asked for, where it lives, its process
 * and its state. Confined to the DEA verticle's event loop (no locks); state changes go
 * through {@link InstanceRegistry#transition} so listeners see every one.
 */
public final class Instance {

  /** The latest resource sample of the instance's process tree and directory. */
  public record Usage(Instant time, double cpuPercent, double memKb, long diskBytes) {
  }

  private final String id;
  private final String privateId;
  private final DeaStartRequest request;
  private final Limits limits;
  private final Path dir;
  private final Instant createdAt;
  private List<String> uris;
  private Integer port;
  private Long pid;
  private Instant pidStartedAt;
  private InstanceState state;
  private Instant stateSince;
  private ExitReason exitReason;
  private boolean exitNotified;
  private String crashReason;
  private Usage usage;
  private Integer uid;
  private Integer netSlot;
  private String address;

  public Instance(String id, String privateId, DeaStartRequest request, Limits limits, Path dir,
      Instant createdAt) {
    this.id = id;
    this.privateId = privateId;
    this.request = request;
    this.limits = limits;
    this.dir = dir;
    this.createdAt = createdAt;
    this.uris = request.uris();
    this.state = InstanceState.STARTING;
    this.stateSince = createdAt;
  }

  /** The directory name under {@code apps/}: {@code <name>-<index>-<instance id>} (v1 "staged"). */
  public static String dirName(String appName, int index, String instanceId) {
    String safe = appName == null ? "app" : appName.replaceAll("[^A-Za-z0-9._-]", "_");
    if (safe.isEmpty() || safe.startsWith(".")) {
      safe = "app" + safe;
    }
    return safe + "-" + index + "-" + instanceId;
  }

  public String id() {
    return id;
  }

  public String privateId() {
    return privateId;
  }

  public DeaStartRequest request() {
    return request;
  }

  public String droplet() {
    return request.droplet();
  }

  public int index() {
    return request.index();
  }

  public String version() {
    return request.version();
  }

  public String name() {
    return request.name();
  }

  public Limits limits() {
    return limits;
  }

  public long memoryMb() {
    return limits.memMb();
  }

  public Path dir() {
    return dir;
  }

  public String dirName() {
    return dir.getFileName().toString();
  }

  public Instant createdAt() {
    return createdAt;
  }

  public List<String> uris() {
    return uris;
  }

  public void uris(List<String> uris) {
    this.uris = List.copyOf(uris);
  }

  public Integer port() {
    return port;
  }

  public void port(Integer port) {
    this.port = port;
  }

  public Long pid() {
    return pid;
  }

  public Instant pidStartedAt() {
    return pidStartedAt;
  }

  public void process(long pid, Instant startedAt) {
    this.pid = pid;
    this.pidStartedAt = startedAt;
  }

  public InstanceState state() {
    return state;
  }

  public Instant stateSince() {
    return stateSince;
  }

  /** Only {@link InstanceRegistry} moves states, after checking the table. */
  void state(InstanceState state, Instant since) {
    this.state = state;
    this.stateSince = since;
  }

  public ExitReason exitReason() {
    return exitReason;
  }

  public void exitReason(ExitReason reason) {
    this.exitReason = reason;
  }

  /** True once {@code droplet.exited} went out (evacuation announces early; never twice). */
  public boolean exitNotified() {
    return exitNotified;
  }

  public void exitNotified(boolean notified) {
    this.exitNotified = notified;
  }

  public String crashReason() {
    return crashReason;
  }

  public void crashReason(String reason) {
    this.crashReason = reason;
  }

  public Usage usage() {
    return usage;
  }

  public void usage(Usage usage) {
    this.usage = usage;
  }

  /** The uid the instance runs as when users are isolated, else null. */
  public Integer uid() {
    return uid;
  }

  public void uid(Integer uid) {
    this.uid = uid;
  }

  /** The container network slot the instance holds (container backend), else null. */
  public synchronized Integer netSlot() {
    return netSlot;
  }

  public synchronized void netSlot(Integer netSlot) {
    this.netSlot = netSlot;
  }

  /** The slot, handed over once: whoever frees it takes it (a worker may race a stop). */
  public synchronized Integer takeNetSlot() {
    Integer slot = netSlot;
    netSlot = null;
    return slot;
  }

  /**
   * Where the instance is reached when not at the DEA's own host address (a container's
   * address when the DEA's host is loopback, which no DNAT rule serves), else null.
   */
  public String address() {
    return address;
  }

  public void address(String address) {
    this.address = address;
  }

  /** The host routes and probes use: {@link #address()}, else the DEA's. */
  public String host(String deaHost) {
    return address != null ? address : deaHost;
  }

  public boolean flapping() {
    return Boolean.TRUE.equals(request.flapping());
  }

  @Override
  public String toString() {
    return "Instance{" + id + ", droplet=" + droplet() + ", index=" + index() + ", state=" + state
        + "}";
  }
}
