package io.updraft.healthmanager.scaling;

import java.util.List;

/**
 * The DEA pool at one moment, as the health manager sees it.
 *
 * @param atMs when, epoch milliseconds
 * @param freeMemoryMb memory the live DEAs advertise as free (a full DEA advertises nothing)
 * @param deas DEAs heartbeating
 * @param bootingDeas DEAs asked for and not yet heard from (they count as capacity)
 * @param waitingInstances instances the controllers could not place
 * @param waitingMemoryMb the memory those instances need
 * @param use what the instances measurably use, summed over the DEAs that report it
 * @param pool each live DEA's reservation, for choosing one to remove
 */
public record PoolSample(long atMs, long freeMemoryMb, int deas, int bootingDeas,
    int waitingInstances, long waitingMemoryMb, MeasuredUse use, List<DeaSample> pool) {

  public PoolSample {
    use = use == null ? MeasuredUse.NONE : use;
    pool = pool == null ? List.of() : List.copyOf(pool);
  }

  /** A sample of the reserved figures only. */
  public PoolSample(long atMs, long freeMemoryMb, int deas, int bootingDeas,
      int waitingInstances, long waitingMemoryMb) {
    this(atMs, freeMemoryMb, deas, bootingDeas, waitingInstances, waitingMemoryMb, null, null);
  }

  /**
   * Measured use against capacity, summed over the DEAs' latest heartbeats.
   *
   * @param memoryMb resident memory of the instances
   * @param maxMemoryMb the DEAs' {@code max_memory}
   * @param diskMb disk use of the instances
   * @param diskTotalMb the DEAs' file systems
   * @param cpuPercent CPU of the instances, percent of one core
   * @param cores the DEAs' cores
   */
  public record MeasuredUse(long memoryMb, long maxMemoryMb, long diskMb, long diskTotalMb,
      double cpuPercent, int cores) {

    public static final MeasuredUse NONE = new MeasuredUse(0, 0, 0, 0, 0, 0);
  }

  /**
   * One live DEA.
   *
   * @param id its id
   * @param nodeId the platform node it runs on (null: a static DEA, never removed)
   * @param reservedMb memory its instances reserve
   * @param freeMb memory it advertises as free
   */
  public record DeaSample(String id, String nodeId, long reservedMb, long freeMb) {

    public boolean removable() {
      return nodeId != null;
    }
  }
}
