package io.updraft.stager.task;

import java.time.Duration;

/** The task ran past its time limit; the message is the v1 one. */
public final class StagingTimeoutException extends StagingException {

  public StagingTimeoutException(Duration limit) {
    super(message(limit));
  }

  public static String message(Duration limit) {
    return "Staging timed out after " + limit.toSeconds() + " seconds";
  }
}
