package io.updraft.dea.instance;

import io.updraft.common.fixtures.AppFixture;
import io.updraft.common.protocol.dea.Limits;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** Instances and a hand-driven clock for unit tests. */
public final class TestInstances {

  private TestInstances() {
  }

  /** The fixture app's instance {@code index}, STARTING, under {@code /tmp/apps}. */
  public static Instance of(AppFixture app, int index, Clock clock) {
    String id = app.instanceId(index);
    return new Instance(id, app.privateInstanceId(index), app.startRequest(index),
        app.startRequest(index).limits().withDefaults(),
        Path.of("/tmp/apps", Instance.dirName(app.name(), index, id)), clock.instant());
  }

  /** A clock that moves only when told to. */
  public static final class ManualClock extends Clock {
    private Instant now;

    public ManualClock(Instant start) {
      this.now = start;
    }

    public static ManualClock atFixtureTime() {
      return new ManualClock(Instant.ofEpochSecond(AppFixture.T0));
    }

    public void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
