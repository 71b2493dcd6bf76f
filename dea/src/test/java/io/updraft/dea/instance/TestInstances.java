package io.updraft.dea.instance;

import io.updraft.common.fixtures.AppFixture;
import io.updraft.common.protocol.dea.Limits;
import io.updraft.common.testing.MutableClock;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;

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

  /** Common's hand-driven clock, at the fixture's time (the {@code T0} its messages carry). */
  public static MutableClock clock() {
    return new MutableClock(Instant.ofEpochSecond(AppFixture.T0));
  }
}
