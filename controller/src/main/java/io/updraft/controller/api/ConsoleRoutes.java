package io.updraft.controller.api;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.StaticHandler;

/**
 * The Management Console: static pages under {@code /console/} from the controller's
 * resources. The pages hold no secrets and need no login to load; everything they show comes
 * from this API with the user's token, so the same authorisation applies as for the client.
 */
final class ConsoleRoutes {

  static final String PATH = "/console";

  private ConsoleRoutes() {
  }

  static void mount(Router router) {
    // a plain path route would match "/console/" too (Vert.x ignores a trailing slash)
    router.getWithRegex("^" + PATH + "$").handler(ctx -> ctx.redirect(PATH + "/"));
    router.get(PATH + "/*").handler(StaticHandler.create("console")
        .setIndexPage("index.html")
        // a new controller version must not show a stale page against its new API
        .setCachingEnabled(false));
  }
}
