package io.updraft.common.bus;

/**
 * A decoded message as a handler receives it.
 *
 * @param subject the subject it was published on (useful with wildcard subscriptions)
 * @param replyTo the reply subject of a request, or null
 * @param body the decoded body
 */
public record Delivery<T>(String subject, String replyTo, T body) {

  public boolean isRequest() {
    return replyTo != null && !replyTo.isEmpty();
  }
}
