package io.updraft.controller.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.updraft.controller.ControllerConfig;
import io.updraft.controller.apps.AppStore;
import io.updraft.controller.users.TokenService;
import io.updraft.controller.users.User;
import io.updraft.controller.users.UserStore;
import io.vertx.core.Future;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Users and login tokens (PROTOCOL.md section 16). */
final class UsersApi {

  private final ControllerConfig config;
  private final UserStore users;
  private final AppStore apps;
  private final TokenService tokens;

  UsersApi(ControllerConfig config, UserStore users, AppStore apps, TokenService tokens) {
    this.config = config;
    this.users = users;
    this.apps = apps;
    this.tokens = tokens;
  }

  void mount(Router router) {
    router.post("/users/:email/tokens").handler(this::login);
    router.post("/users").handler(this::register);
    router.get("/users").handler(this::list);
    router.get("/users/:email").handler(this::show);
    router.put("/users/:email").handler(this::changePassword);
    router.delete("/users/:email").handler(this::delete);
  }

  private void login(RoutingContext ctx) {
    JsonNode body = Bodies.json(ctx);
    String email = ctx.pathParam("email");
    String password = Bodies.text(body, "password");
    users.authenticate(email, password).onSuccess(user -> {
      if (user.isEmpty()) {
        ctx.fail(ApiError.notPermitted());
      } else {
        Responses.json(ctx, 200, Map.of("token", tokens.issue(user.get().email())));
      }
    }).onFailure(ctx::fail);
  }

  private void register(RoutingContext ctx) {
    boolean byAdmin = Auth.caller(ctx).map(User::admin).orElse(false);
    if (!config.allowRegistration() && !byAdmin) {
      throw ApiError.notPermitted();
    }
    JsonNode body = Bodies.json(ctx);
    users.create(Bodies.text(body, "email"), Bodies.text(body, "password"), false)
        .onSuccess(u -> Responses.empty(ctx, 204)).onFailure(ctx::fail);
  }

  private void show(RoutingContext ctx) {
    User caller = Auth.required(ctx);
    String email = UserStore.normalise(ctx.pathParam("email"));
    if (!caller.admin() && !caller.email().equals(email)) {
      throw ApiError.notPermitted();
    }
    users.find(email).onSuccess(user -> {
      if (user.isEmpty()) {
        ctx.fail(ApiError.userNotFound());
      } else {
        Responses.json(ctx, 200, Map.of("email", user.get().email(), "admin",
            user.get().admin()));
      }
    }).onFailure(ctx::fail);
  }

  /** CF v1 changes the caller's own password whatever the path says; admins may set anyone's. */
  private void changePassword(RoutingContext ctx) {
    User caller = Auth.required(ctx);
    String target = UserStore.normalise(ctx.pathParam("email"));
    String password = Bodies.text(Bodies.json(ctx), "password");
    Future<User> whose = caller.admin() && !caller.email().equals(target)
        ? users.find(target).map(u -> u.orElseThrow(ApiError::userNotFound))
        : Future.succeededFuture(caller);
    whose.compose(user -> users.setPassword(user.id(), password))
        .onSuccess(v -> Responses.empty(ctx, 204)).onFailure(ctx::fail);
  }

  private void delete(RoutingContext ctx) {
    Auth.admin(ctx);
    users.delete(ctx.pathParam("email")).onSuccess(deleted -> {
      if (deleted) {
        Responses.empty(ctx, 204);
      } else {
        ctx.fail(ApiError.userNotFound());
      }
    }).onFailure(ctx::fail);
  }

  private void list(RoutingContext ctx) {
    Auth.admin(ctx);
    Future<List<User>> all = users.list();
    all.compose(list -> apps.list(null).map(appList -> list.stream().map(u -> {
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("email", u.email());
      entry.put("admin", u.admin());
      entry.put("apps", appList.stream().filter(a -> a.ownerId() == u.id())
          .map(a -> Map.of("name", a.name(), "state", a.state())).toList());
      return entry;
    }).toList())).onSuccess(body -> Responses.json(ctx, 200, body)).onFailure(ctx::fail);
  }
}
