package io.updraft.healthmanager.scaling;

/**
 * The DEA pool at one moment, as the health manager sees it.
 *
 * @param atMs when, epoch milliseconds
 * @param freeMemoryMb memory the live DEAs advertise as free (a full DEA advertises nothing)
 * @param deas DEAs heartbeating
 * @param bootingDeas DEAs asked for and not yet heard from (they count as capacity)
 * @param waitingInstances instances the controllers could not place
 * @param waitingMemoryMb the memory those instances need
 */
public record PoolSample(long atMs, long freeMemoryMb, int deas, int bootingDeas,
    int waitingInstances, long waitingMemoryMb) {
}
