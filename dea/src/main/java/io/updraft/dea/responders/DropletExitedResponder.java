package io.updraft.dea.responders;

import io.updraft.common.bus.Bus;
import io.updraft.common.protocol.Subjects;
import io.updraft.common.protocol.droplet.DropletExited;
import io.updraft.common.protocol.droplet.ExitReason;
import io.updraft.dea.instance.Instance;
import io.updraft.dea.instance.InstanceRegistry;
import io.updraft.dea.instance.InstanceState;

/**
 * {@code droplet.exited} (PROTOCOL.md 3.10), once per instance: when it crashes
 * ({@code CRASHED} with {@code crash_timestamp}), when it is stopped (the stop's reason), or
 * early, while it still runs, when the DEA evacuates ({@code DEA_EVACUATION}). Always on
 * (a publisher, not a subscriber): an exit during shutdown must still be told.
 */
public final class DropletExitedResponder implements Responder {

  private final Bus bus;

  public DropletExitedResponder(Bus bus, InstanceRegistry registry) {
    this.bus = bus;
    registry.onTransition(t -> {
      if (t.to() == InstanceState.CRASHED) {
        announce(t.instance(), ExitReason.CRASHED);
      } else if (t.to() == InstanceState.STOPPING) {
        announce(t.instance(), t.instance().exitReason() == null ? ExitReason.STOPPED
            : t.instance().exitReason());
      }
    });
  }

  @Override
  public void start() {
  }

  @Override
  public void stop() {
  }

  /** Publishes the exit unless it was already announced; returns whether it published. */
  public boolean announce(Instance i, ExitReason reason) {
    if (i.exitNotified()) {
      return false;
    }
    i.exitNotified(true);
    bus.publish(Subjects.DROPLET_EXITED, new DropletExited(i.droplet(), i.version(), i.id(),
        i.index(), reason, reason == ExitReason.CRASHED ? i.stateSince().getEpochSecond() : null,
        i.request().ccPartition(), null, i.crashReason()));
    return true;
  }
}
