package io.updraft.stager.task;

import io.updraft.common.protocol.staging.StagingResult;

/**
 * A unit of staging work as the responder schedules it; {@link StagingTask} is the real one,
 * tests schedule fakes.
 */
public interface Task {

  String taskId();

  /** The task's limit; cancelling it stops the task's current step. */
  Deadline deadline();

  /** Does the work on a worker thread; never throws (a failure is a result with an error). */
  StagingResult run();
}
