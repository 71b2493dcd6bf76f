package io.updraft.controller.cluster;

import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The DEA pool over time for the console's charts: every {@code interval} one sample of DEA
 * count, total and free memory and instances held, from {@link DeaSurvey}. Kept in memory in a
 * ring of {@code capacity} samples (an hour by default): a restarted controller starts a new
 * history, which is what a dashboard of the last hour needs and keeps the database out of it.
 * Event-loop confined.
 */
public final class ClusterHistory {

  private static final Logger log = LoggerFactory.getLogger(ClusterHistory.class);
  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(10);
  /** One hour of samples at the default interval. */
  public static final int DEFAULT_CAPACITY = 360;
  /**
   * Nobody waits on a sample, so DEAs get longer to answer than an API call gives them: a DEA
   * busy starting instances on a loaded host must not show as a dip to zero in the chart.
   */
  static final Duration SURVEY_WINDOW = Duration.ofSeconds(3);

  /** One sample; {@code at} in Unix milliseconds. */
  public record Sample(long at, int deas, long memoryTotalMb, long memoryFreeMb, int instances) {
  }

  private final DeaSurvey survey;
  private final Clock clock;
  private final Duration interval;
  private final int capacity;
  private final ArrayDeque<Sample> samples = new ArrayDeque<>();
  private Vertx vertx;
  private long timer = -1;
  private boolean sampling;

  public ClusterHistory(DeaSurvey survey, Clock clock, Duration interval, int capacity) {
    if (capacity < 1 || interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("history needs a positive interval and capacity");
    }
    this.survey = survey;
    this.clock = clock;
    this.interval = interval;
    this.capacity = capacity;
  }

  /** Samples now and then every interval, on the calling verticle's context. */
  public void start(Vertx timers) {
    vertx = timers;
    sample();
    timer = timers.setPeriodic(interval.toMillis(), t -> sample());
  }

  public void stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
  }

  /** Takes one sample; a survey still running (a slow bus) is not doubled. */
  void sample() {
    if (sampling) {
      return;
    }
    sampling = true;
    survey.deas(SURVEY_WINDOW).onComplete(done -> {
      sampling = false;
      if (done.failed()) {
        log.atWarn().setMessage("controller.history.sample.failed")
            .addKeyValue("error", done.cause().getMessage()).log();
        return;
      }
      record(new Sample(clock.millis(), done.result().size(),
          done.result().stream().mapToLong(DeaSurvey.Dea::memoryTotalMb).sum(),
          done.result().stream().mapToLong(DeaSurvey.Dea::memoryFreeMb).sum(),
          done.result().stream().mapToInt(DeaSurvey.Dea::instances).sum()));
    });
  }

  /** Adds a sample, dropping the oldest beyond the capacity. */
  public void record(Sample sample) {
    samples.addLast(sample);
    while (samples.size() > capacity) {
      samples.removeFirst();
    }
  }

  public List<Sample> samples() {
    return new ArrayList<>(samples);
  }

  public Duration interval() {
    return interval;
  }
}
