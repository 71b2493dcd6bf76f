package io.updraft.controller.scaling;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.stream.Collectors;
import org.slf4j.LoggerFactory;

/** Everything the scaling package logs (all levels) while open, as one text to search. */
final class CapturedLogs implements AutoCloseable {

  private final Logger logger = (Logger) LoggerFactory.getLogger("io.updraft.controller.scaling");
  private final Level level = logger.getLevel();
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

  CapturedLogs() {
    appender.start();
    logger.addAppender(appender);
    logger.setLevel(Level.ALL);
  }

  /** Messages, key-value pairs and throwables of every event so far. */
  String text() {
    return appender.list.stream().map(e -> e.getFormattedMessage() + " " + e.getKeyValuePairs()
        + " " + (e.getThrowableProxy() == null ? "" : e.getThrowableProxy().getMessage()))
        .collect(Collectors.joining("\n"));
  }

  int events() {
    return appender.list.size();
  }

  @Override
  public void close() {
    logger.detachAppender(appender);
    logger.setLevel(level);
  }
}
