package io.updraft.dea.instance;

/** A state change the table of {@link InstanceState} does not allow: a bug, never input. */
public final class InvalidTransitionException extends IllegalStateException {

  public InvalidTransitionException(String instanceId, InstanceState from, InstanceState to) {
    super("instance " + instanceId + " cannot go from " + from + " to " + to);
  }
}
