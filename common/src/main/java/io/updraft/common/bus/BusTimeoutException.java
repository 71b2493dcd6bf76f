package io.updraft.common.bus;

import java.time.Duration;

/** No (decodable) reply arrived in time for a request, or nobody listens on its subject. */
public class BusTimeoutException extends RuntimeException {

  public BusTimeoutException(String subject, Duration timeout) {
    super("no reply on " + subject + " within " + timeout.toMillis() + " ms");
  }

  private BusTimeoutException(String message) {
    super(message);
  }

  static BusTimeoutException noResponders(String subject) {
    return new BusTimeoutException("no responders on " + subject);
  }
}
