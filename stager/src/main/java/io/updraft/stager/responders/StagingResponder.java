package io.updraft.stager.responders;

import io.updraft.common.bus.Bus;
import io.updraft.common.bus.Delivery;
import io.updraft.common.bus.Subscription;
import io.updraft.common.protocol.Subjects;
import io.updraft.common.protocol.staging.StagingLogLine;
import io.updraft.common.protocol.staging.StagingRequest;
import io.updraft.common.protocol.staging.StagingResult;
import io.updraft.stager.task.Deadline;
import io.updraft.stager.task.StagingLog;
import io.updraft.stager.task.Task;
import io.updraft.stager.task.StagingTimeoutException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stager's one conversation: takes {@code staging} requests in queue group
 * {@code staging} (each request reaches one stager of the group), runs at most
 * {@code max_active_tasks} at once on a worker pool of that size, and replies with the
 * {@link StagingResult}. Requests beyond the limit wait here in arrival order rather than being
 * refused: with one stager in a micro cloud a refusal would fail a push that only had to wait.
 *
 * <p>While a task runs, each log line is published on {@code staging.<task_id>.log} when the
 * request carried a {@code task_id}, before the reply. State is touched only on the
 * verticle's event loop; the task itself runs on the worker pool.
 */
public final class StagingResponder {

  private static final Logger log = LoggerFactory.getLogger(StagingResponder.class);
  /**
   * A task that has not answered this long after its limit is stuck beyond what its own
   * checks catch (a hung file system): the reply goes out anyway.
   */
  static final Duration WATCHDOG_GRACE = Duration.ofSeconds(10);

  /** Builds the task for a request; the task's log publishes through the given sink. */
  @FunctionalInterface
  public interface TaskFactory {
    Task create(String taskId, StagingRequest request, StagingLog log);
  }

  private final Vertx vertx;
  private final Bus bus;
  private final TaskFactory tasks;
  private final int maxActive;
  private final Duration limit;
  private final Duration watchdogGrace;
  private final Deque<Delivery<StagingRequest>> waiting = new ArrayDeque<>();
  private final Set<Task> running = new HashSet<>();
  private final AtomicLong succeeded = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private Context context;
  private WorkerExecutor workers;
  private Subscription subscription;

  public StagingResponder(Vertx vertx, Bus bus, TaskFactory tasks, int maxActive,
      Duration limit) {
    this(vertx, bus, tasks, maxActive, limit, WATCHDOG_GRACE);
  }

  StagingResponder(Vertx vertx, Bus bus, TaskFactory tasks, int maxActive, Duration limit,
      Duration watchdogGrace) {
    this.watchdogGrace = watchdogGrace;
    this.vertx = vertx;
    this.bus = bus;
    this.tasks = tasks;
    this.maxActive = maxActive;
    this.limit = limit;
  }

  /** Subscribes; call on the verticle's event loop. */
  public void start() {
    context = vertx.getOrCreateContext();
    // a worker per task slot, allowed to run for the whole task without blocked-thread noise
    workers = vertx.createSharedWorkerExecutor("stager-tasks", maxActive,
        limit.plus(watchdogGrace).plusSeconds(60).toSeconds(), TimeUnit.SECONDS);
    subscription = bus.subscribe(Subjects.STAGING, Subjects.QUEUE_STAGING, StagingRequest.class,
        this::onRequest);
    log.atInfo().setMessage("staging.responder.started").addKeyValue("max_active_tasks",
        maxActive).addKeyValue("max_staging_seconds", limit.toSeconds()).log();
  }

  /**
   * Unsubscribes, answers the waiting requests with an error (the controller retries them
   * elsewhere) and cancels the running tasks, which kill their build processes.
   */
  public Future<Void> stop() {
    if (subscription != null) {
      subscription.close();
      subscription = null;
    }
    while (!waiting.isEmpty()) {
      Delivery<StagingRequest> d = waiting.poll();
      bus.reply(d, new StagingResult(null, "", Deadline.CANCELLED));
    }
    running.forEach(task -> task.deadline().cancel());
    return workers == null ? Future.succeededFuture() : workers.close();
  }

  /** Figures for {@code /varz}. */
  public Map<String, Object> figures() {
    return Map.of("active_tasks", running.size(), "waiting_tasks", waiting.size(),
        "max_active_tasks", maxActive, "tasks_succeeded", succeeded.get(),
        "tasks_failed", failed.get());
  }

  private void onRequest(Delivery<StagingRequest> delivery) {
    log.atInfo().setMessage("staging.request.received")
        .addKeyValue("request", delivery.body().logView()).log();
    waiting.add(delivery);
    drain();
  }

  private void drain() {
    while (running.size() < maxActive && !waiting.isEmpty()) {
      launch(waiting.poll());
    }
  }

  private void launch(Delivery<StagingRequest> delivery) {
    StagingRequest request = delivery.body();
    String taskId = taskId(request);
    boolean stream = request.taskId() != null && taskId.equals(request.taskId());
    String subject = stream ? Subjects.stagingLog(taskId) : null;
    StagingLog stagingLog = new StagingLog(line -> {
      if (subject != null) {
        // on the event loop, in order: every line is out before the reply
        context.runOnContext(v -> bus.publish(subject, new StagingLogLine(taskId, line)));
      }
    });
    Task task = tasks.create(taskId, request, stagingLog);
    running.add(task);
    log.atInfo().setMessage("staging.task.started").addKeyValue("task_id", taskId)
        .addKeyValue("app_id", request.appId()).log();
    AtomicBoolean answered = new AtomicBoolean();
    long watchdog = vertx.setTimer(limit.plus(watchdogGrace).toMillis(), id -> {
      if (answered.compareAndSet(false, true)) {
        task.deadline().cancel();
        String error = StagingTimeoutException.message(limit);
        // written past the log (whose sink may still be in use by the stuck worker)
        finish(delivery, task, new StagingResult(taskId,
            stagingLog.replyText() + "Staging failed: " + error + "\n", error));
      }
    });
    // the outcome is queued behind the task's log lines on the event loop (the worker
    // executor may complete its future on the worker thread), so the reply is always last
    workers.executeBlocking(task::run, false).onComplete(ar -> context.runOnContext(v -> {
      vertx.cancelTimer(watchdog);
      if (answered.compareAndSet(false, true)) {
        StagingResult result = ar.succeeded() ? ar.result()
            : new StagingResult(taskId, stagingLog.replyText(), "Staging failed: " + ar.cause());
        finish(delivery, task, result);
      }
    }));
  }

  private void finish(Delivery<StagingRequest> delivery, Task task,
      StagingResult result) {
    running.remove(task);
    (result.succeeded() ? succeeded : failed).incrementAndGet();
    var event = log.atInfo()
        .setMessage(result.succeeded() ? "staging.task.succeeded" : "staging.task.failed")
        .addKeyValue("task_id", task.taskId())
        .addKeyValue("app_id", delivery.body().appId());
    if (!result.succeeded()) {
      event = event.addKeyValue("error", result.error());
    }
    event.log();
    bus.reply(delivery, result);
    drain();
  }

  /** The request's task id when it can name a subject, else a fresh 32-hex id. */
  static String taskId(StagingRequest request) {
    String id = request.taskId();
    if (id != null && !id.isBlank()) {
      try {
        Subjects.stagingLog(id);
        return id;
      } catch (IllegalArgumentException e) {
        log.atWarn().setMessage("staging.task_id.invalid").addKeyValue("task_id", id).log();
      }
    }
    return UUID.randomUUID().toString().replace("-", "");
  }
}
