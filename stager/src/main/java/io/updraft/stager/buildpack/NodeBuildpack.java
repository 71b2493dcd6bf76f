package io.updraft.stager.buildpack;

import com.fasterxml.jackson.databind.JsonNode;
import io.updraft.common.protocol.Json;
import io.updraft.common.protocol.staging.StagingProperties;
import io.updraft.stager.process.BuildProcess;
import io.updraft.stager.task.StagingException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Node.js ({@code package.json}): {@code npm install --omit=dev} when dependencies are
 * declared, then the {@code start} script, else {@code node <main>} ({@code main}, or
 * {@code server.js}, {@code app.js}, {@code index.js}).
 *
 * <p>The start script is run by the startup script itself, with {@code node_modules/.bin} on
 * the PATH as npm would, rather than through {@code npm start}: then the app, not npm, is the
 * process the DEA watches and signals.
 */
public final class NodeBuildpack implements Buildpack {

  private static final List<String> DEFAULT_MAINS = List.of("server.js", "app.js", "index.js");

  @Override
  public String name() {
    return "node";
  }

  @Override
  public String expects() {
    return "package.json";
  }

  @Override
  public Optional<String> detect(Path appDir, StagingProperties properties) {
    return Files.isRegularFile(appDir.resolve("package.json"), LinkOption.NOFOLLOW_LINKS)
        ? Optional.of("package.json") : Optional.empty();
  }

  @Override
  public void compile(BuildContext ctx) throws StagingException {
    JsonNode pkg = packageJson(ctx.appDir());
    ctx.require("node", name());
    JsonNode deps = pkg.path("dependencies");
    if (!deps.isObject() || deps.isEmpty()) {
      ctx.log().line("No dependencies declared: skipping npm install");
      return;
    }
    Path npm = ctx.require("npm", name());
    List<String> command = new ArrayList<>(List.of(npm.toString(), "install", "--omit=dev",
        "--no-audit", "--no-fund"));
    if (ctx.config().offline()) {
      // only what the stager's npm cache already holds
      command.add("--offline");
    } else {
      String registry = ctx.config().npmRegistryUrl();
      Optional<String> problem = ctx.registryProblem(registry);
      if (problem.isPresent()) {
        throw new StagingException("Cannot install the app's Node.js dependencies: the npm "
            + "registry " + registry + " " + problem.get());
      }
      command.add("--registry=" + registry);
    }
    BuildProcess.Result result = ctx.run(command, Map.of("npm_config_update_notifier",
        "false"));
    if (!result.succeeded()) {
      throw new StagingException("npm install failed (exit " + result.exitCode() + ")"
          + (ctx.config().offline() ? " on an offline stager (only cached packages are "
          + "available)" : "") + ":\n" + result.tailText());
    }
  }

  @Override
  public StartCommand startCommand(BuildContext ctx) throws StagingException {
    JsonNode pkg = packageJson(ctx.appDir());
    Map<String, String> env = startEnvironment(ctx);
    String start = pkg.path("scripts").path("start").asText("");
    if (!start.isBlank()) {
      return new StartCommand(start.strip(), env, "node");
    }
    String main = pkg.path("main").asText("");
    List<String> candidates = new ArrayList<>();
    if (!main.isBlank()) {
      candidates.add(main);
    }
    candidates.addAll(DEFAULT_MAINS);
    for (String candidate : candidates) {
      Path file = ctx.appDir().resolve(candidate).normalize();
      if (file.startsWith(ctx.appDir()) && Files.isRegularFile(file)) {
        return new StartCommand("node " + Shell.quote(candidate), env, "node");
      }
    }
    throw new StagingException("Node.js app has no start script and no main file (set "
        + "scripts.start or main in package.json, or add server.js)");
  }

  @Override
  public Map<String, String> startEnvironment(BuildContext ctx) {
    return Map.of("PATH", "$APP_DIR/node_modules/.bin:$PATH");
  }

  @Override
  public String runtime() {
    return "node";
  }

  private static JsonNode packageJson(Path appDir) throws StagingException {
    try {
      JsonNode node = Json.mapper().readTree(appDir.resolve("package.json").toFile());
      if (node == null || !node.isObject()) {
        throw new StagingException("package.json is not a JSON object");
      }
      return node;
    } catch (IOException e) {
      throw new StagingException("package.json is not valid JSON: " + e.getMessage());
    }
  }
}
