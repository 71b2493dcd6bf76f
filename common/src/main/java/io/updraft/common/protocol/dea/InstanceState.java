package io.updraft.common.protocol.dea;

/**
 * Instance states on the wire (PROTOCOL.md 10.2). DEAs report STARTING, RUNNING and CRASHED;
 * STOPPED and DELETED are transient; DOWN and FLAPPING are added by the health manager and
 * the controller.
 */
public enum InstanceState {
  STARTING, RUNNING, STOPPED, CRASHED, DELETED, DOWN, FLAPPING
}
