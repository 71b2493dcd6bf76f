package io.updraft.controller.scaling;

import io.updraft.controller.scaling.PlatformHttp.PlatformException;
import io.updraft.controller.scaling.PlatformHttp.Reply;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code docker} platform: creates and starts a DEA container from the DEA image through
 * the Docker Engine API ({@code POST /containers/create}, {@code POST /containers/{id}/start}),
 * and removes it ({@code DELETE /containers/{id}?force=true}).
 *
 * <p>The engine is reached over its unix socket (Vert.x's HTTP client on a domain socket,
 * which works on the JDK's NIO transport as well as epoll) or over TCP. The container's
 * environment carries the core address (NATS servers and credentials) and the DEA's memory;
 * it is never logged. Containers get the label {@code io.updraft.role=dea} and outlive the
 * controller. Calls complete on the caller's context.
 */
public final class DockerPlatform implements ScalingPlatform {

  private static final Logger log = LoggerFactory.getLogger(DockerPlatform.class);
  static final String ROLE_LABEL = "io.updraft.role";

  private final DockerConfig config;
  private final PlatformHttp http;
  /** {@code http://host:port} or, on a unix socket, a placeholder host plus the API version. */
  private final String base;

  public DockerPlatform(Vertx vertx, DockerConfig config) {
    this.config = config;
    SocketAddress socket = null;
    String origin;
    if (config.host().startsWith("unix://")) {
      socket = SocketAddress.domainSocketAddress(config.host().substring("unix://".length()));
      origin = "http://localhost";
    } else {
      origin = "http://" + config.host().replaceFirst("^(tcp|http)://", "");
    }
    if (origin.endsWith("/")) {
      origin = origin.substring(0, origin.length() - 1);
    }
    String version = config.apiVersion() == null ? ""
        : "/" + (config.apiVersion().startsWith("v") ? "" : "v") + config.apiVersion();
    this.base = origin + version;
    this.http = new PlatformHttp(vertx, "the Docker engine at " + config.host(),
        Duration.ofSeconds(config.timeoutSeconds()), socket);
  }

  @Override
  public String name() {
    return "docker";
  }

  @Override
  public Future<List<String>> launch(int count) {
    if (count < 1) {
      return Future.failedFuture("docker: asked to launch " + count + " nodes");
    }
    return launch(count, new ArrayList<>());
  }

  /** One container after the other; a failure after the first keeps (and reports) the rest. */
  private Future<List<String>> launch(int count, List<String> started) {
    if (started.size() == count) {
      return Future.succeededFuture(List.copyOf(started));
    }
    return createAndStart().transform(result -> {
      if (result.succeeded()) {
        started.add(result.result());
        return launch(count, started);
      }
      if (started.isEmpty()) {
        return Future.failedFuture(result.cause());
      }
      log.atWarn().setMessage("scaling.docker.partial").addKeyValue("started", started)
          .addKeyValue("asked", count).addKeyValue("error", result.cause().getMessage()).log();
      return Future.succeededFuture(List.copyOf(started));
    });
  }

  /** Creates one container and starts it; a container that will not start is removed. */
  Future<String> createAndStart() {
    String name = config.namePrefix() + UUID.randomUUID().toString().substring(0, 8);
    JsonArray env = new JsonArray();
    config.deaEnvironment().forEach((k, v) -> env.add(k + "=" + v));
    // the node id is the container's name (known before the engine picks an id, and as good
    // for removal): the DEA advertises it, so a scale-down can find its node
    env.add("UPDRAFT__NODE_ID=" + name);
    JsonObject hostConfig = new JsonObject()
        .put("RestartPolicy", new JsonObject().put("Name", "unless-stopped"));
    if (config.network() != null) {
      hostConfig.put("NetworkMode", config.network());
    }
    if (config.containerMemoryMb() != null) {
      hostConfig.put("Memory", config.containerMemoryMb() * 1024 * 1024);
    }
    JsonObject body = new JsonObject().put("Image", config.image()).put("Env", env)
        .put("Labels", new JsonObject().put(ROLE_LABEL, "dea"))
        .put("HostConfig", hostConfig);
    return http.send(HttpMethod.POST, base + "/containers/create?name="
        + URLEncoder.encode(name, StandardCharsets.UTF_8), Map.of(), body)
        .compose(reply -> {
          String id = reply.status() == 201 ? reply.json().getString("Id") : null;
          if (id == null) {
            return Future.failedFuture(reply.status() == 404
                ? new PlatformException("docker: no image '" + config.image() + "' on the "
                    + "engine (pull or build it there first): " + message(reply))
                : failure("create container " + name, reply));
          }
          return http.send(HttpMethod.POST, base + "/containers/" + id + "/start", Map.of(),
              (JsonObject) null).compose(started -> {
                if (started.ok() || started.status() == 304) {
                  log.atInfo().setMessage("scaling.docker.launched").addKeyValue("node", name)
                      .addKeyValue("container", id).addKeyValue("image", config.image()).log();
                  return Future.succeededFuture(name);
                }
                PlatformException error = failure("start container " + name, started);
                return remove(id).transform(ignored -> Future.<String>failedFuture(error));
              });
        });
  }

  @Override
  public Future<Void> terminate(String nodeId) {
    return remove(nodeId).compose(reply -> {
      if (reply.ok() || reply.status() == 404) {
        log.atInfo().setMessage("scaling.docker.terminated").addKeyValue("node", nodeId)
            .addKeyValue("already_gone", reply.status() == 404).log();
        return Future.succeededFuture();
      }
      return Future.failedFuture(failure("remove container " + nodeId, reply));
    });
  }

  private Future<Reply> remove(String id) {
    return http.send(HttpMethod.DELETE, base + "/containers/" + id + "?force=true", Map.of(),
        (JsonObject) null);
  }

  @Override
  public Future<Void> close() {
    return http.close();
  }

  private static PlatformException failure(String action, Reply reply) {
    return new PlatformException("docker: cannot " + action + " (" + reply.status() + "): "
        + message(reply));
  }

  /** The engine's {@code {"message": …}}, or the start of the body. */
  private static String message(Reply reply) {
    String m = reply.json().getString("message");
    if (m == null) {
      m = reply.body() == null ? "" : reply.body().toString().strip();
    }
    return m.isEmpty() ? "(no message)" : m.length() > 300 ? m.substring(0, 300) + "…" : m;
  }
}
