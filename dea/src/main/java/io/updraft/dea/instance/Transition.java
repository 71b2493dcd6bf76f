package io.updraft.dea.instance;

/** One state change of an instance, as listeners receive it (after it happened). */
public record Transition(Instance instance, InstanceState from, InstanceState to) {
}
