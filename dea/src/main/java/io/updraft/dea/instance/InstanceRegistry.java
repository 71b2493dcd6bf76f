package io.updraft.dea.instance;

import io.updraft.common.protocol.dea.InstanceSelector;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Every instance this DEA knows, keyed by instance id, and the one place states change.
 * Listeners (heartbeat, router, exits, advertise, snapshot) hear each transition after it
 * happened, in the order they were added. Event-loop confined.
 */
public final class InstanceRegistry {

  private final Map<String, Instance> instances = new LinkedHashMap<>();
  private final List<Consumer<Transition>> listeners = new ArrayList<>();
  private final List<Runnable> changeListeners = new ArrayList<>();
  private final Clock clock;

  public InstanceRegistry(Clock clock) {
    this.clock = clock;
  }

  public Clock clock() {
    return clock;
  }

  public void onTransition(Consumer<Transition> listener) {
    listeners.add(listener);
  }

  /** Called on every add, remove and transition (what a snapshot or an advert depends on). */
  public void onChange(Runnable listener) {
    changeListeners.add(listener);
  }

  public void add(Instance instance) {
    if (instances.putIfAbsent(instance.id(), instance) != null) {
      throw new IllegalArgumentException("duplicate instance id " + instance.id());
    }
    changed();
  }

  public void remove(Instance instance) {
    if (instances.remove(instance.id()) != null) {
      changed();
    }
  }

  /**
   * Moves {@code instance} to {@code to} and tells the listeners.
   *
   * @throws InvalidTransitionException when the table does not allow it
   */
  public void transition(Instance instance, InstanceState to) {
    InstanceState from = instance.state();
    if (!from.canBecome(to)) {
      throw new InvalidTransitionException(instance.id(), from, to);
    }
    instance.state(to, clock.instant());
    Transition transition = new Transition(instance, from, to);
    listeners.forEach(l -> l.accept(transition));
    changed();
  }

  /** Moves only if the table allows it; false when it does not (a race lost, not a bug). */
  public boolean tryTransition(Instance instance, InstanceState to) {
    if (!instance.state().canBecome(to)) {
      return false;
    }
    transition(instance, to);
    return true;
  }

  public Optional<Instance> get(String id) {
    return Optional.ofNullable(instances.get(id));
  }

  public Collection<Instance> all() {
    return List.copyOf(instances.values());
  }

  public int size() {
    return instances.size();
  }

  public List<Instance> ofDroplet(String droplet) {
    return instances.values().stream().filter(i -> i.droplet().equals(droplet)).toList();
  }

  /** The instances a {@code dea.stop}/{@code dea.find.droplet} filter selects (by wire state). */
  public List<Instance> select(InstanceSelector selector) {
    return instances.values().stream()
        .filter(i -> selector.selects(i.droplet(), i.version(), i.id(), i.index(),
            i.state().wire()))
        .toList();
  }

  /** Something persisted about an instance changed without a transition (pid, port, uris). */
  public void touched() {
    changed();
  }

  private void changed() {
    changeListeners.forEach(Runnable::run);
  }
}
