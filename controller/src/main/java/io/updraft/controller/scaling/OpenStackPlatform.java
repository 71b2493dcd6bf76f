package io.updraft.controller.scaling;

import io.updraft.controller.scaling.PlatformHttp.PlatformException;
import io.updraft.controller.scaling.PlatformHttp.Reply;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code openstack} platform: creates DEA servers with Nova from an image, flavor,
 * network, key pair and security groups; each boots with user data that points it at the
 * core ({@link DeaUserData}).
 *
 * <p>Authenticates with Keystone v3 (password method, project scope) and takes Nova's and
 * Glance's endpoints from the token's catalog (the configured region and interface). The
 * token is kept until shortly before it expires; a 401 from Nova re-authenticates once and
 * retries. Image and flavor may be given as names: the image is looked up in Glance ({@code
 * GET /v2/images?name=}) unless it is a UUID, the flavor in {@code GET /flavors/detail} (by id,
 * then by name). Every error (credentials, quota, over limit, 5xx, timeout) fails the future
 * with the reason; the token and the servers' admin passwords are never logged.
 *
 * <p>Servers outlive the controller: {@link #close()} releases the HTTP client only. Calls
 * complete on the caller's context.
 */
public final class OpenStackPlatform implements ScalingPlatform {

  private static final Logger log = LoggerFactory.getLogger(OpenStackPlatform.class);
  private static final Pattern UUID_LIKE =
      Pattern.compile("[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}");
  /** Re-authenticate this long before the token's expiry rather than risk a 401 mid-launch. */
  private static final Duration TOKEN_MARGIN = Duration.ofMinutes(1);
  private static final int MAX_MESSAGE = 300;

  private final OpenStackConfig config;
  private final PlatformHttp http;
  private final Clock clock;
  private Session session;

  /** The Keystone token and the endpoints taken from its catalog. */
  private record Session(String token, Instant expiresAt, String compute, String image) {
  }

  public OpenStackPlatform(Vertx vertx, OpenStackConfig config, Clock clock) {
    this.config = config;
    this.clock = clock;
    this.http = new PlatformHttp(vertx, "OpenStack", Duration.ofSeconds(config.timeoutSeconds()),
        null);
  }

  @Override
  public String name() {
    return "openstack";
  }

  @Override
  public Future<List<String>> launch(int count) {
    if (count < 1) {
      return Future.failedFuture("openstack: asked to launch " + count + " nodes");
    }
    if (config.coreIp() == null) {
      return Future.failedFuture("openstack: no core address to give new DEAs (core_ip)");
    }
    return imageId().compose(image -> flavorId().compose(flavor ->
        createServers(count, image, flavor, new ArrayList<>())));
  }

  @Override
  public Future<Void> terminate(String nodeId) {
    return authed(s -> http.send(HttpMethod.DELETE, s.compute() + "/servers/" + nodeId,
        headers(s), (JsonObject) null))
        .compose(reply -> {
          if (reply.ok() || reply.status() == 404) {
            log.atInfo().setMessage("scaling.openstack.terminated").addKeyValue("node", nodeId)
                .addKeyValue("already_gone", reply.status() == 404).log();
            return Future.succeededFuture();
          }
          return Future.failedFuture(failure("delete server " + nodeId, reply));
        });
  }

  @Override
  public Future<Void> close() {
    return http.close();
  }

  /** Creates the servers one by one; a failure after the first keeps what was created. */
  private Future<List<String>> createServers(int count, String image, String flavor,
      List<String> created) {
    if (created.size() == count) {
      return Future.succeededFuture(created);
    }
    String name = config.namePrefix() + UUID.randomUUID().toString().substring(0, 8);
    JsonObject server = new JsonObject().put("name", name).put("imageRef", image)
        .put("flavorRef", flavor)
        .put("user_data", DeaUserData.base64(config.userData(), config.coreIp()));
    if (config.network() != null) {
      server.put("networks", new JsonArray().add(new JsonObject().put("uuid", config.network())));
    }
    if (config.keyName() != null) {
      server.put("key_name", config.keyName());
    }
    if (!config.securityGroups().isEmpty()) {
      JsonArray groups = new JsonArray();
      config.securityGroups().forEach(g -> groups.add(new JsonObject().put("name", g)));
      server.put("security_groups", groups);
    }
    JsonObject body = new JsonObject().put("server", server);
    return authed(s -> http.send(HttpMethod.POST, s.compute() + "/servers", headers(s), body))
        .compose(reply -> {
          String id = reply.ok() ? reply.json().getJsonObject("server", new JsonObject())
              .getString("id") : null;
          if (id == null) {
            PlatformException error = reply.ok()
                ? new PlatformException("openstack: Nova accepted server " + name
                    + " but returned no id")
                : failure("create server " + name, reply);
            if (created.isEmpty()) {
              return Future.failedFuture(error);
            }
            log.atWarn().setMessage("scaling.openstack.partial").addKeyValue("created", created)
                .addKeyValue("asked", count).addKeyValue("error", error.getMessage()).log();
            return Future.succeededFuture(created);
          }
          log.atInfo().setMessage("scaling.openstack.launched").addKeyValue("node", id)
              .addKeyValue("name", name).addKeyValue("image", image)
              .addKeyValue("flavor", flavor).log();
          // the node id is the Nova server id (UUID): cloud-init's instance id on the VM, which
          // kato gives its DEA as node_id, so the DEA advertises exactly this id
          created.add(id);
          return createServers(count, image, flavor, created);
        });
  }

  /** The image id: as configured when it is a UUID, else the one active Glance image so named. */
  private Future<String> imageId() {
    if (UUID_LIKE.matcher(config.image()).matches()) {
      return Future.succeededFuture(config.image());
    }
    return authed(s -> {
      if (s.image() == null) {
        return Future.failedFuture(new PlatformException("openstack: image '" + config.image()
            + "' is a name but the catalog has no image service to look it up; give its id"));
      }
      return http.send(HttpMethod.GET, s.image() + "/v2/images?status=active&name="
          + URLEncoder.encode(config.image(), StandardCharsets.UTF_8), headers(s),
          (JsonObject) null);
    }).compose(reply -> {
      if (!reply.ok()) {
        return Future.failedFuture(failure("look up image '" + config.image() + "'", reply));
      }
      JsonArray images = reply.json().getJsonArray("images", new JsonArray());
      if (images.size() != 1) {
        return Future.failedFuture(new PlatformException("openstack: " + images.size()
            + " active images are named '" + config.image() + "'; "
            + (images.isEmpty() ? "check the name" : "give the image id")));
      }
      return Future.succeededFuture(images.getJsonObject(0).getString("id"));
    });
  }

  /** The flavor id: the flavor with the configured id, else the one so named. */
  private Future<String> flavorId() {
    return authed(s -> http.send(HttpMethod.GET, s.compute() + "/flavors/detail", headers(s),
        (JsonObject) null)).compose(reply -> {
          if (!reply.ok()) {
            return Future.failedFuture(failure("list flavors", reply));
          }
          JsonArray flavors = reply.json().getJsonArray("flavors", new JsonArray());
          for (String field : List.of("id", "name")) {
            for (int i = 0; i < flavors.size(); i++) {
              JsonObject f = flavors.getJsonObject(i);
              if (config.flavor().equals(f.getString(field))) {
                return Future.succeededFuture(f.getString("id"));
              }
            }
          }
          return Future.failedFuture(new PlatformException("openstack: no flavor '"
              + config.flavor() + "' (by id or name) in project " + config.projectName()));
        });
  }

  /** Runs {@code call} with a session; on a 401 authenticates again and runs it once more. */
  private Future<Reply> authed(Function<Session, Future<Reply>> call) {
    return session(false).compose(call).compose(reply -> reply.status() == 401
        ? session(true).compose(call)
        : Future.succeededFuture(reply));
  }

  private Future<Session> session(boolean renew) {
    Session current = session;
    if (!renew && current != null && (current.expiresAt() == null
        || clock.instant().plus(TOKEN_MARGIN).isBefore(current.expiresAt()))) {
      return Future.succeededFuture(current);
    }
    return authenticate().onSuccess(s -> session = s);
  }

  /** Keystone v3: password method, scoped to the project. */
  private Future<Session> authenticate() {
    JsonObject body = new JsonObject().put("auth", new JsonObject()
        .put("identity", new JsonObject()
            .put("methods", new JsonArray().add("password"))
            .put("password", new JsonObject().put("user", new JsonObject()
                .put("name", config.username())
                .put("domain", new JsonObject().put("name", config.userDomainName()))
                .put("password", config.password()))))
        .put("scope", new JsonObject().put("project", new JsonObject()
            .put("name", config.projectName())
            .put("domain", new JsonObject().put("name", config.projectDomainName())))));
    return http.send(HttpMethod.POST, config.keystoneV3() + "/auth/tokens",
        Map.of("Accept", "application/json"), body).compose(reply -> {
          String token = reply.headers().get("X-Subject-Token");
          if (reply.status() == 401) {
            return Future.failedFuture(new PlatformException("openstack: Keystone rejected the "
                + "credentials of user '" + config.username() + "' for project '"
                + config.projectName() + "' (401): " + message(reply)));
          }
          if (!reply.ok() || token == null) {
            return Future.failedFuture(failure("authenticate with Keystone", reply));
          }
          JsonObject t = reply.json().getJsonObject("token", new JsonObject());
          String compute = endpoint(t, "compute");
          if (compute == null) {
            return Future.failedFuture(new PlatformException("openstack: the Keystone catalog "
                + "has no " + config.endpointInterface() + " compute endpoint"
                + (config.region() == null ? "" : " in region " + config.region())));
          }
          log.atInfo().setMessage("scaling.openstack.authenticated")
              .addKeyValue("user", config.username()).addKeyValue("project", config.projectName())
              .addKeyValue("compute", compute).log();
          return Future.succeededFuture(new Session(token, expiry(t), compute,
              endpoint(t, "image")));
        });
  }

  private String endpoint(JsonObject token, String type) {
    JsonArray catalog = token.getJsonArray("catalog", new JsonArray());
    for (int i = 0; i < catalog.size(); i++) {
      JsonObject service = catalog.getJsonObject(i);
      if (!type.equals(service.getString("type"))) {
        continue;
      }
      JsonArray endpoints = service.getJsonArray("endpoints", new JsonArray());
      for (int j = 0; j < endpoints.size(); j++) {
        JsonObject e = endpoints.getJsonObject(j);
        boolean inRegion = config.region() == null || config.region().equals(e.getString("region_id"))
            || config.region().equals(e.getString("region"));
        if (inRegion && config.endpointInterface().equals(e.getString("interface"))) {
          String url = e.getString("url");
          return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        }
      }
    }
    return null;
  }

  private static Instant expiry(JsonObject token) {
    try {
      String at = token.getString("expires_at");
      return at == null ? null : Instant.parse(at);
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  private static Map<String, String> headers(Session s) {
    return Map.of("X-Auth-Token", s.token(), "Accept", "application/json");
  }

  /** The reason an answer is an error, in words, with OpenStack's own message. */
  private static PlatformException failure(String action, Reply reply) {
    String why = switch (reply.status()) {
      case 401 -> "credentials rejected even after authenticating again";
      case 403 -> "forbidden";
      case 404 -> "not found";
      case 409 -> "conflict";
      case 413 -> "over limit";
      case 429 -> "rate limited";
      default -> reply.status() >= 500 ? "OpenStack failed" : "refused";
    };
    return new PlatformException("openstack: cannot " + action + ": " + why + " ("
        + reply.status() + "): " + message(reply));
  }

  /**
   * OpenStack's message from an error body: Nova's {@code {"forbidden": {"message": …}}}
   * (any fault name), Keystone's {@code {"error": {"message": …}}}, or the start of the text.
   */
  static String message(Reply reply) {
    JsonObject json = reply.json();
    for (String field : json.fieldNames()) {
      Object value = json.getValue(field);
      if (value instanceof JsonObject fault && fault.getString("message") != null) {
        return clip(fault.getString("message"));
      }
    }
    if (json.getString("message") != null) {
      return clip(json.getString("message"));
    }
    String text = reply.body() == null ? "" : reply.body().toString().strip();
    return text.isEmpty() ? "(no message)" : clip(text);
  }

  private static String clip(String s) {
    return s.length() <= MAX_MESSAGE ? s : s.substring(0, MAX_MESSAGE) + "…";
  }
}
