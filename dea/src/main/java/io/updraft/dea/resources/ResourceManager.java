package io.updraft.dea.resources;

import io.updraft.dea.instance.Instance;
import io.updraft.dea.instance.InstanceRegistry;

/**
 * Memory and slot accounting over the registry (PROTOCOL.md 3.13): an instance reserves its
 * requested MB and a slot from acceptance until it is stopped or has crashed. Pure reads of
 * the registry; the only state is the "shutting down" flag.
 */
public final class ResourceManager {

  private final InstanceRegistry registry;
  private final long maxMemoryMb;
  private final int maxInstances;
  private boolean shuttingDown;

  public ResourceManager(InstanceRegistry registry, long maxMemoryMb, int maxInstances) {
    this.registry = registry;
    this.maxMemoryMb = maxMemoryMb;
    this.maxInstances = maxInstances;
  }

  public long maxMemoryMb() {
    return maxMemoryMb;
  }

  public int maxInstances() {
    return maxInstances;
  }

  public long reservedMemoryMb() {
    return registry.all().stream().filter(i -> i.state().holdsResources())
        .mapToLong(Instance::memoryMb).sum();
  }

  public int usedSlots() {
    return (int) registry.all().stream().filter(i -> i.state().holdsResources()).count();
  }

  public long availableMemoryMb() {
    return Math.max(0, maxMemoryMb - reservedMemoryMb());
  }

  /** Room for one more instance of {@code memMb}, and not shutting down. */
  public boolean canAccept(long memMb) {
    return !shuttingDown && usedSlots() < maxInstances && reservedMemoryMb() + memMb <= maxMemoryMb;
  }

  /** Room for anything at all: the condition for advertising (silence means full or gone). */
  public boolean hasRoom() {
    return !shuttingDown && usedSlots() < maxInstances && reservedMemoryMb() < maxMemoryMb;
  }

  public boolean shuttingDown() {
    return shuttingDown;
  }

  public void shuttingDown(boolean value) {
    this.shuttingDown = value;
  }
}
