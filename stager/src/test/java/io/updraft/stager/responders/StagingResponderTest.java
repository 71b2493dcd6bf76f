package io.updraft.stager.responders;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.updraft.common.bus.fakes.FakeBus;
import io.updraft.common.protocol.Subjects;
import io.updraft.common.protocol.staging.StagingLogLine;
import io.updraft.common.protocol.staging.StagingProperties;
import io.updraft.common.protocol.staging.StagingRequest;
import io.updraft.common.protocol.staging.StagingResult;
import io.updraft.stager.task.Deadline;
import io.updraft.stager.task.StagingLog;
import io.updraft.stager.task.Task;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Scheduling, replies and log streaming of the responder, over a FakeBus with fake tasks. */
class StagingResponderTest {

  private Vertx vertx;
  private Context context;
  private final FakeBus bus = new FakeBus();
  /** Per app: the latch its fake task waits on before it answers. */
  private final Map<String, CountDownLatch> gates = new ConcurrentHashMap<>();
  private final AtomicInteger running = new AtomicInteger();
  private final AtomicInteger mostRunning = new AtomicInteger();
  private final Map<String, Integer> inboxes = new ConcurrentHashMap<>();
  private int requests;
  private StagingResponder responder;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    context = vertx.getOrCreateContext();
  }

  @AfterEach
  void tearDown() throws Exception {
    gates.values().forEach(CountDownLatch::countDown);
    if (responder != null) {
      onContext(() -> responder.stop());
    }
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** A task that logs two lines, waits for its gate (or its deadline), then succeeds. */
  private Task fakeTask(String taskId, StagingRequest request, StagingLog log, Duration limit) {
    Deadline deadline = new Deadline(Clock.systemUTC(), limit);
    CountDownLatch gate = gates.computeIfAbsent(request.appId(), k -> new CountDownLatch(1));
    return new Task() {
      @Override
      public String taskId() {
        return taskId;
      }

      @Override
      public Deadline deadline() {
        return deadline;
      }

      @Override
      public StagingResult run() {
        mostRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
        try {
          log.line("first " + request.appId());
          log.line("second " + request.appId());
          while (!gate.await(20, TimeUnit.MILLISECONDS)) {
            if (deadline.cancelled()) {
              return new StagingResult(taskId, log.text(), Deadline.CANCELLED);
            }
          }
          return new StagingResult(taskId, log.text(), null);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return new StagingResult(taskId, log.text(), "interrupted");
        } finally {
          running.decrementAndGet();
        }
      }
    };
  }

  private void start(int maxActive, Duration limit, Duration grace) throws Exception {
    responder = new StagingResponder(vertx, bus,
        (taskId, request, log) -> fakeTask(taskId, request, log, limit), maxActive, limit,
        grace);
    onContext(() -> responder.start());
  }

  private void onContext(Runnable r) throws Exception {
    CountDownLatch done = new CountDownLatch(1);
    context.runOnContext(v -> {
      try {
        r.run();
      } finally {
        done.countDown();
      }
    });
    assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
  }

  /** Sends a request as the controller would; FakeBus records the reply on its inbox. */
  private void send(String appId, String taskId) throws Exception {
    StagingRequest request = new StagingRequest(appId,
        new StagingProperties(null, null, null, null, null, null, null, null),
        "http://u:p@cc/staging/app/" + appId, "http://u:p@cc/staging/droplet/" + appId + "/x",
        taskId);
    onContext(() -> {
      inboxes.put(appId, ++requests);
      bus.request(Subjects.STAGING, request, StagingResult.class, Duration.ofSeconds(1));
    });
  }

  private List<StagingResult> replies(String appId) {
    return bus.published("_INBOX.fake." + inboxes.get(appId), StagingResult.class);
  }

  @Test
  void runsAtMostMaxActiveTasksAndTheRestInArrivalOrder() throws Exception {
    start(2, Duration.ofSeconds(60), Duration.ofSeconds(10));
    for (String app : List.of("a", "b", "c", "d")) {
      gates.put(app, new CountDownLatch(1));
      send(app, null);
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> running.get() == 2);
    assertThat(responder.figures()).containsEntry("waiting_tasks", 2);

    gates.get("a").countDown();
    await().atMost(Duration.ofSeconds(5)).until(() -> replies("a").size() == 1);
    await().atMost(Duration.ofSeconds(5)).until(() -> running.get() == 2);
    assertThat(replies("d")).isEmpty();

    gates.values().forEach(CountDownLatch::countDown);
    await().atMost(Duration.ofSeconds(5)).until(() -> List.of("a", "b", "c", "d").stream()
        .allMatch(app -> replies(app).size() == 1));
    assertThat(mostRunning.get()).isEqualTo(2);
    assertThat(replies("c").get(0).succeeded()).isTrue();
    assertThat(responder.figures()).containsEntry("tasks_succeeded", 4L);
  }

  @Test
  void streamsEachLogLineOnTheTaskSubjectBeforeTheReply() throws Exception {
    start(1, Duration.ofSeconds(60), Duration.ofSeconds(10));
    gates.put("a", new CountDownLatch(0));
    send("a", "task42");
    await().atMost(Duration.ofSeconds(5)).until(() -> replies("a").size() == 1);

    StagingResult reply = replies("a").get(0);
    assertThat(reply.taskId()).isEqualTo("task42");
    assertThat(bus.published(Subjects.stagingLog("task42"), StagingLogLine.class))
        .extracting(StagingLogLine::line).containsExactly("first a", "second a");
    List<String> order = bus.published().stream().map(FakeBus.Published::subject)
        .filter(s -> !s.equals(Subjects.STAGING)).toList();
    assertThat(order).containsExactly("staging.task42.log", "staging.task42.log",
        "_INBOX.fake.1");
  }

  @Test
  void withoutATaskIdNothingIsStreamedAndAnIdIsMadeUp() throws Exception {
    start(1, Duration.ofSeconds(60), Duration.ofSeconds(10));
    gates.put("a", new CountDownLatch(0));
    send("a", null);
    await().atMost(Duration.ofSeconds(5)).until(() -> replies("a").size() == 1);
    assertThat(replies("a").get(0).taskId()).matches("[0-9a-f]{32}");
    assertThat(bus.published()).noneMatch(p -> p.subject().endsWith(".log"));
  }

  @Test
  void aTaskIdThatCannotNameASubjectIsReplaced() {
    StagingRequest r = new StagingRequest("a",
        new StagingProperties(null, null, null, null, null, null, null, null), "http://x/a",
        "http://x/b", "has.dots");
    assertThat(StagingResponder.taskId(r)).matches("[0-9a-f]{32}");
  }

  @Test
  void aStuckTaskIsAnsweredWithTheTimeoutByTheWatchdog() throws Exception {
    start(1, Duration.ofMillis(200), Duration.ofMillis(200));
    gates.put("stuck", new CountDownLatch(1));
    send("stuck", null);
    await().atMost(Duration.ofSeconds(5)).until(() -> replies("stuck").size() == 1);
    assertThat(replies("stuck").get(0).error()).isEqualTo("Staging timed out after 0 seconds");
  }

  @Test
  void stopAnswersWaitingRequestsAndCancelsRunningTasks() throws Exception {
    start(1, Duration.ofSeconds(60), Duration.ofSeconds(10));
    gates.put("a", new CountDownLatch(1));
    gates.put("b", new CountDownLatch(1));
    send("a", null);
    send("b", null);
    await().atMost(Duration.ofSeconds(5)).until(() -> running.get() == 1);

    onContext(() -> responder.stop());

    await().atMost(Duration.ofSeconds(5)).until(() -> replies("b").size() == 1);
    assertThat(replies("b").get(0).error()).isEqualTo(Deadline.CANCELLED);
    await().atMost(Duration.ofSeconds(5)).until(() -> running.get() == 0);
  }
}
