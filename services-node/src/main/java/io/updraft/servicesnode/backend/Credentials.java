package io.updraft.servicesnode.backend;

import io.updraft.servicesnode.ServicesNodeConfig.ServiceConfig;
import java.util.LinkedHashMap;
import java.util.Map;

/** The credential shapes apps receive (CF v1 keys, both spellings, plus a URI). */
final class Credentials {

  private Credentials() {
  }

  /** {@code name, hostname, host, port, user, username, password, uri}. */
  static Map<String, Object> database(String scheme, ServiceConfig config, String db,
      String user, String password) {
    Map<String, Object> c = server(config, user, password);
    c.put("name", db);
    c.put("uri", scheme + "://" + user + ":" + password + "@" + config.publicHost() + ":"
        + config.port() + "/" + db);
    return c;
  }

  static Map<String, Object> server(ServiceConfig config, String user, String password) {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("hostname", config.publicHost());
    c.put("host", config.publicHost());
    c.put("port", config.port());
    c.put("user", user);
    c.put("username", user);
    c.put("password", password);
    return c;
  }
}
