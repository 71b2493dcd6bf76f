package io.updraft.kato.agent;

/** A request the agent refuses, with the HTTP status it answers and one clear line. */
public final class AgentException extends RuntimeException {

  private final int status;

  public AgentException(int status, String message) {
    super(message);
    this.status = status;
  }

  public int status() {
    return status;
  }
}
