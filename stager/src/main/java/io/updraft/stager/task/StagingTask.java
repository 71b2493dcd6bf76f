package io.updraft.stager.task;

import io.updraft.common.archive.ArchiveWriter;
import io.updraft.common.files.FileTrees;
import io.updraft.common.files.PrivateFiles;
import io.updraft.common.protocol.staging.StagingRequest;
import io.updraft.common.protocol.staging.StagingResult;
import io.updraft.stager.StagerConfig;
import io.updraft.stager.archive.AppPackage;
import io.updraft.stager.buildpack.BuildContext;
import io.updraft.stager.buildpack.Buildpacks;
import io.updraft.stager.buildpack.StartCommand;
import io.updraft.stager.isolation.BuildIsolation;
import io.updraft.stager.isolation.Sandbox;
import io.updraft.stager.transfer.BitsTransfer;
import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One staging task, start to finish (PROTOCOL.md 7.3): download the package, unpack it
 * safely, choose and run a buildpack, lay out and pack the droplet, upload it, and answer with
 * a {@link StagingResult} whose log holds every line also handed to the {@link StagingLog}'s
 * sink. Every step is bounded by the task's {@link Deadline}. The task's directory under
 * {@code work_dir} is removed at the end, whatever happened. Blocking: {@link #run()} runs on
 * a worker thread.
 */
public final class StagingTask implements Task {

  private static final Logger log = LoggerFactory.getLogger(StagingTask.class);

  private final String taskId;
  private final StagingRequest request;
  private final StagerConfig config;
  private final BitsTransfer transfer;
  private final Buildpacks buildpacks;
  private final BuildIsolation isolation;
  private final HttpClient http;
  private final Map<String, String> stagerEnv;
  private final Clock clock;
  private final StagingLog stagingLog;
  private final Deadline deadline;

  public StagingTask(String taskId, StagingRequest request, StagerConfig config,
      BitsTransfer transfer, Buildpacks buildpacks, BuildIsolation isolation, HttpClient http,
      Map<String, String> stagerEnv, Clock clock, StagingLog stagingLog) {
    this.taskId = taskId;
    this.request = request;
    this.config = config;
    this.transfer = transfer;
    this.buildpacks = buildpacks;
    this.isolation = isolation;
    this.http = http;
    this.stagerEnv = Map.copyOf(stagerEnv);
    this.clock = clock;
    this.stagingLog = stagingLog;
    this.deadline = new Deadline(clock, config.maxStaging());
  }

  @Override
  public String taskId() {
    return taskId;
  }

  @Override
  public Deadline deadline() {
    return deadline;
  }

  /** Stages; never throws: a failure is a result with {@code error} set. */
  @Override
  public StagingResult run() {
    Path taskDir = config.workPath().resolve("task-" + taskId);
    try {
      stage(taskDir);
      stagingLog.line("Done!");
      return new StagingResult(taskId, stagingLog.replyText(), null);
    } catch (StagingException e) {
      stagingLog.line("Staging failed: " + e.getMessage());
      return new StagingResult(taskId, stagingLog.replyText(), e.getMessage());
    } catch (IOException | RuntimeException e) {
      log.atError().setMessage("staging.task.error").addKeyValue("task_id", taskId)
          .addKeyValue("app_id", request.appId()).setCause(e).log();
      String error = "Internal error in the stager (" + e.getClass().getSimpleName() + ")";
      stagingLog.line("Staging failed: " + error);
      return new StagingResult(taskId, stagingLog.replyText(), error);
    } finally {
      deleteTree(taskDir);
    }
  }

  private void stage(Path taskDir) throws StagingException, IOException {
    stagingLog.line("Setting up temporary directories");
    Path packageZip = taskDir.resolve("package.zip");
    Path dropletDir = taskDir.resolve("droplet");
    Path appDir = dropletDir.resolve("app");
    Path tmpDir = taskDir.resolve("tmp");
    // the task's directory is private; what goes into the droplet keeps the modes it is
    // packed with (the DEA unpacks them as they are)
    PrivateFiles.createDirectories(taskDir);
    Files.createDirectories(dropletDir);
    PrivateFiles.createDirectories(tmpDir);

    stagingLog.line("Downloading application");
    transfer.download(request.downloadUri(), packageZip, config.maxPackageBytes(), deadline);

    stagingLog.line("Unpacking application");
    AppPackage.unpack(packageZip, appDir, config.maxPackageBytes());
    Files.delete(packageZip);
    deadline.check();

    stagingLog.line("Staging application");
    Buildpacks.Choice choice = buildpacks.choose(appDir, request.properties(), stagingLog);
    StartCommand start;
    try (Sandbox sandbox = isolation.open(request.appId(), taskDir, appDir, tmpDir)) {
      BuildContext ctx = new BuildContext(dropletDir, request.properties(), config, deadline,
          stagingLog, stagerEnv, sandbox, http);
      choice.buildpack().compile(ctx);
      deadline.check();
      start = Buildpacks.startCommand(choice.buildpack(), ctx);
    }
    stagingLog.line("Start command: " + start.command());

    stagingLog.line("Creating droplet");
    DropletLayout.write(dropletDir, choice.buildpack().name(), choice.reason(),
        request.properties().framework(), start, request.appId(), clock.instant(),
        stagingLog.text());
    Path droplet = taskDir.resolve("droplet.tgz");
    ArchiveWriter.tarGz(dropletDir, droplet);
    deadline.check();

    stagingLog.line("Uploading droplet (" + Math.max(1, Files.size(droplet) / 1024) + " KB)");
    transfer.upload(request.uploadUri(), droplet, deadline);
  }

  /** Best effort: a build may leave read-only files; they are made writable first. */
  static void deleteTree(Path dir) {
    try {
      FileTrees.deleteRecursively(dir);
    } catch (IOException e) {
      log.atWarn().setMessage("staging.cleanup.failed").addKeyValue("dir", dir)
          .addKeyValue("error", e.getMessage()).log();
    }
  }
}
