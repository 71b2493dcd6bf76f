package io.updraft.controller.api;

import io.updraft.controller.users.TokenService;
import io.updraft.controller.users.User;
import io.updraft.controller.users.UserStore;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;

/**
 * Who is calling: the token arrives raw in {@code AUTHORIZATION} (v1 clients send no
 * {@code Bearer}; we accept one). An admin may act as another user with {@code PROXY-USER}. A
 * missing or bad token on a protected call is 403/200.
 */
final class Auth {

  private static final String USER_KEY = "updraft.user";

  private final TokenService tokens;
  private final UserStore users;

  Auth(TokenService tokens, UserStore users) {
    this.tokens = tokens;
    this.users = users;
  }

  /** Resolves the caller (if any) and continues; never rejects by itself. */
  void identify(RoutingContext ctx) {
    String header = ctx.request().getHeader("Authorization");
    if (header == null || header.isBlank()) {
      ctx.next();
      return;
    }
    String token = header.trim();
    if (token.regionMatches(true, 0, "bearer ", 0, 7)) {
      token = token.substring(7).trim();
    }
    Optional<String> email = tokens.verify(token);
    if (email.isEmpty()) {
      ctx.next();
      return;
    }
    users.find(email.get()).onComplete(found -> {
      if (found.failed()) {
        ctx.fail(found.cause());
        return;
      }
      if (found.result().isEmpty()) {
        ctx.next();
        return;
      }
      User caller = found.result().get();
      String proxy = ctx.request().getHeader("Proxy-User");
      if (proxy == null || proxy.isBlank()) {
        ctx.put(USER_KEY, caller);
        ctx.next();
      } else if (!caller.admin()) {
        ctx.fail(ApiError.notPermitted());
      } else {
        users.find(proxy).onComplete(target -> {
          if (target.failed()) {
            ctx.fail(target.cause());
          } else if (target.result().isEmpty()) {
            ctx.fail(ApiError.userNotFound());
          } else {
            ctx.put(USER_KEY, target.result().get());
            ctx.next();
          }
        });
      }
    });
  }

  static Optional<User> caller(RoutingContext ctx) {
    return Optional.ofNullable(ctx.get(USER_KEY));
  }

  /** The caller, or 403/200. */
  static User required(RoutingContext ctx) {
    return caller(ctx).orElseThrow(ApiError::notPermitted);
  }

  static User admin(RoutingContext ctx) {
    User user = required(ctx);
    if (!user.admin()) {
      throw ApiError.notPermitted();
    }
    return user;
  }
}
