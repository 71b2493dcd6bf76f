package io.updraft.dea.logs;

import static io.updraft.common.testing.Futures.result;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.updraft.common.bus.fakes.FakeBus;
import io.updraft.common.fixtures.AppFixture;
import io.updraft.common.protocol.Subjects;
import io.updraft.common.protocol.logs.AppLogLine;
import io.updraft.common.protocol.logs.LogSource;
import io.updraft.dea.instance.Instance;
import io.updraft.dea.instance.InstanceRegistry;
import io.updraft.dea.instance.InstanceState;
import io.updraft.dea.instance.TestInstances;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The streamer against the in-memory bus, real files and a real Vert.x (worker reads). */
class LogStreamerTest {

  private final Vertx vertx = Vertx.vertx();
  private final Context context = vertx.getOrCreateContext();
  private final FakeBus bus = new FakeBus();
  private final AppFixture app = AppFixture.create();
  private final InstanceRegistry registry = new InstanceRegistry(Clock.systemUTC());

  @TempDir
  Path dir;

  @AfterEach
  void tearDown() throws Exception {
    result(vertx.close());
  }

  private Instance instance(int index) throws Exception {
    Instance template = TestInstances.of(app, index, Clock.systemUTC());
    Path home = dir.resolve(template.dirName());
    Files.createDirectories(home.resolve("logs"));
    return new Instance(template.id(), template.privateId(), template.request(),
        template.limits(), home, template.createdAt());
  }

  private <T> T onContext(java.util.concurrent.Callable<T> work) throws Exception {
    CompletableFuture<T> done = new CompletableFuture<>();
    context.runOnContext(v -> {
      try {
        done.complete(work.call());
      } catch (Exception e) {
        done.completeExceptionally(e);
      }
    });
    return done.get();
  }

  private static void append(Instance i, String file, String text) throws Exception {
    Files.writeString(i.dir().resolve("logs").resolve(file), text, StandardCharsets.UTF_8,
        StandardOpenOption.CREATE, StandardOpenOption.APPEND);
  }

  private List<AppLogLine> lines() {
    return bus.published(Subjects.appLogs(app.id()), AppLogLine.class);
  }

  private LogStreamer streamer(LogStreamer.Settings settings) throws Exception {
    LogStreamer streamer = new LogStreamer(vertx, bus, registry, Clock.systemUTC(), settings);
    onContext(() -> {
      streamer.start();
      return null;
    });
    return streamer;
  }

  @Test
  void linesOfBothFilesArePublishedInOrderWithInstanceAndSource() throws Exception {
    LogStreamer streamer = streamer(new LogStreamer.Settings(20, 1000, 1 << 20, 100));
    Instance a = instance(0);
    onContext(() -> {
      registry.add(a);
      return null;
    });
    append(a, "stdout.log", "hello\nworld\n");
    append(a, "stderr.log", "oops\n");

    await().atMost(Duration.ofSeconds(5)).until(() -> lines().size() == 3);
    assertThat(lines()).filteredOn(l -> l.source() == LogSource.STDOUT)
        .extracting(AppLogLine::line).containsExactly("hello", "world");
    assertThat(lines()).filteredOn(l -> l.source() == LogSource.STDERR)
        .singleElement().satisfies(l -> {
          assertThat(l.line()).isEqualTo("oops");
          assertThat(l.app()).isEqualTo(app.id());
          assertThat(l.instance()).isEqualTo(a.id());
          assertThat(l.index()).isZero();
          assertThat(l.timestamp()).isPositive();
        });

    // truncation: the file starts over
    Files.writeString(a.dir().resolve("logs/stdout.log"), "again\n",
        StandardOpenOption.TRUNCATE_EXISTING);
    await().atMost(Duration.ofSeconds(5)).until(() -> lines().size() == 4);
    assertThat(lines().get(3).line()).isEqualTo("again");

    // a crash notice appended after the transition still goes out, then the files are let go
    onContext(() -> {
      registry.transition(a, InstanceState.CRASHED);
      return null;
    });
    append(a, "stderr.log", "[updraft-dea] instance crashed: app exited with status 1\n");
    await().atMost(Duration.ofSeconds(5)).until(() -> lines().size() == 5
        && onContext(streamer::followed) == 0);
    assertThat(lines().get(4).line()).contains("instance crashed");
  }

  @Test
  void aChattyAppIsLimitedAndTheDropIsReported() throws Exception {
    streamer(new LogStreamer.Settings(50, 10, 1 << 20, 100));
    Instance a = instance(1);
    onContext(() -> {
      registry.add(a);
      return null;
    });
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < 500; i++) {
      text.append("line ").append(i).append('\n');
    }
    append(a, "stdout.log", text.toString());

    await().atMost(Duration.ofSeconds(5)).until(() -> lines().stream()
        .anyMatch(l -> l.line().startsWith("[updraft-dea] dropped")));
    List<AppLogLine> got = lines();
    assertThat(got.subList(0, 10)).extracting(AppLogLine::line)
        .containsExactly("line 0", "line 1", "line 2", "line 3", "line 4", "line 5", "line 6",
            "line 7", "line 8", "line 9");
    assertThat(got.get(10).line()).isEqualTo("[updraft-dea] dropped 490 lines (over 10 lines/s)");
  }

  @Test
  void anAdoptedInstanceIsFollowedFromTheEnd() throws Exception {
    Instance a = instance(2);
    append(a, "stdout.log", "written before the DEA restarted\n");
    onContext(() -> {
      registry.add(a);
      registry.transition(a, InstanceState.RUNNING);
      return null;
    });
    LogStreamer streamer = streamer(new LogStreamer.Settings(20, 1000, 1 << 20, 100));
    await().atMost(Duration.ofSeconds(5)).until(() -> onContext(streamer::polls) >= 2);
    append(a, "stdout.log", "after\n");
    await().atMost(Duration.ofSeconds(5)).until(() -> !lines().isEmpty());
    assertThat(lines()).extracting(AppLogLine::line).containsExactly("after");
  }
}
