package io.updraft.dea.process;

import io.updraft.common.protocol.Json;
import io.updraft.common.protocol.dea.DeaStartRequest;
import io.updraft.common.protocol.dea.Limits;
import io.updraft.common.protocol.dea.ServiceBinding;
import io.updraft.dea.instance.Instance;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The whole environment of an app process (PROTOCOL.md 3.12 with Updraft's decision 5); the
 * process gets nothing else (no DEA variables leak in). Later entries win, in this order:
 * {@code PATH}, {@code LANG}, {@code HOME}, {@code TMPDIR}, {@code VCAP_APPLICATION},
 * {@code VCAP_SERVICES} (keyed by the unversioned service name, Stackato style),
 * {@code VCAP_APP_HOST}, {@code VCAP_APP_PORT}, {@code PORT}, {@code MEMORY_LIMIT}
 * ({@code <mb>m}), service URLs ({@code DATABASE_URL}, {@code <VENDOR>_URL}), the runtime's
 * {@code environment}, then the app's own {@code env} entries. Pure.
 */
public final class AppEnvironment {

  private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  /** Ruby {@code Time#to_s}, the v1 format of {@code VCAP_APPLICATION.start}. */
  private static final DateTimeFormatter RUBY_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss Z", Locale.ROOT);

  private AppEnvironment() {
  }

  public static Map<String, String> build(Instance instance, String host, String appPath) {
    return build(instance, host, appPath, instance.dir().toString());
  }

  /**
   * @param host the address the app listens on and is told about ({@code VCAP_APP_HOST})
   * @param home the instance directory as the app sees it ({@code /home/vcap} in a container)
   */
  public static Map<String, String> build(Instance instance, String host, String appPath,
      String home) {
    DeaStartRequest req = instance.request();
    Map<String, String> env = new LinkedHashMap<>();
    env.put("PATH", appPath);
    env.put("LANG", "C.UTF-8");
    env.put("HOME", home);
    env.put("TMPDIR", home + "/tmp");
    env.put("VCAP_APPLICATION", Json.encodeToString(vcapApplication(instance, host)));
    env.put("VCAP_SERVICES", Json.encodeToString(vcapServices(req.services())));
    env.put("VCAP_APP_HOST", host);
    String port = instance.port() == null ? "" : String.valueOf(instance.port());
    env.put("VCAP_APP_PORT", port);
    env.put("PORT", port);
    env.put("MEMORY_LIMIT", instance.limits().memMb() + "m");
    env.putAll(serviceUrls(req.services()));
    if (req.runtimeInfo() != null) {
      req.runtimeInfo().environment().forEach((k, v) -> {
        if (v != null && NAME.matcher(k).matches()) {
          env.put(k, v);
        }
      });
    }
    for (String entry : req.env()) {
      int eq = entry.indexOf('=');
      if (eq > 0 && NAME.matcher(entry.substring(0, eq)).matches()) {
        env.put(entry.substring(0, eq), entry.substring(eq + 1));
      }
    }
    return env;
  }

  static Map<String, Object> vcapApplication(Instance instance, String host) {
    DeaStartRequest req = instance.request();
    Limits limits = instance.limits();
    Map<String, Object> app = new LinkedHashMap<>();
    app.put("instance_id", instance.id());
    app.put("instance_index", instance.index());
    app.put("name", req.name());
    app.put("uris", instance.uris());
    app.put("users", req.users());
    if (req.version() != null) {
      app.put("version", req.version());
    }
    app.put("start", RUBY_TIME.format(instance.createdAt().atZone(ZoneId.systemDefault())));
    if (req.runtimeName() != null) {
      app.put("runtime", req.runtimeName());
    }
    app.put("state_timestamp", instance.stateSince().getEpochSecond());
    if (instance.port() != null) {
      app.put("port", instance.port());
    }
    app.put("limits", Map.of("fds", limits.fds(), "mem", limits.memMb() * 1024L * 1024L,
        "disk", limits.diskMb() * 1024L * 1024L));
    app.put("host", host);
    return app;
  }

  /** {@code {"postgresql":[{name,label,plan,tags,plan_option,credentials}]}}. */
  static Map<String, List<Map<String, Object>>> vcapServices(List<ServiceBinding> services) {
    Map<String, List<Map<String, Object>>> out = new LinkedHashMap<>();
    for (ServiceBinding s : services) {
      Map<String, Object> b = new LinkedHashMap<>();
      putIfPresent(b, "name", s.name());
      putIfPresent(b, "label", s.label());
      putIfPresent(b, "plan", s.plan());
      if (!s.tags().isEmpty()) {
        b.put("tags", s.tags());
      }
      putIfPresent(b, "plan_option", s.planOption());
      if (!s.credentials().isEmpty()) {
        b.put("credentials", s.credentials());
      }
      out.computeIfAbsent(serviceKey(s), k -> new ArrayList<>()).add(b);
    }
    return out;
  }

  /** The unversioned service name: {@code vendor}, else the label before its last '-'. */
  static String serviceKey(ServiceBinding s) {
    if (s.vendor() != null && !s.vendor().isBlank()) {
      return s.vendor();
    }
    String label = s.label() == null ? "service" : s.label();
    int dash = label.lastIndexOf('-');
    return dash > 0 ? label.substring(0, dash) : label;
  }

  /**
   * {@code <VENDOR>_URL} for each service whose credentials describe a server, and
   * {@code DATABASE_URL} for the first SQL database (decision 5). A {@code uri}/{@code url}
   * in the credentials wins over one built from host, port, user, password and name.
   */
  static Map<String, String> serviceUrls(List<ServiceBinding> services) {
    Map<String, String> env = new LinkedHashMap<>();
    for (ServiceBinding s : services) {
      String key = serviceKey(s);
      String url = serviceUrl(key, s.credentials());
      if (url == null) {
        continue;
      }
      String var = key.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_") + "_URL";
      env.putIfAbsent(var, url);
      if ((key.equals("postgresql") || key.equals("mysql")) && !env.containsKey("DATABASE_URL")) {
        env.put("DATABASE_URL", url);
      }
    }
    return env;
  }

  private static String serviceUrl(String key, Map<String, Object> c) {
    for (String k : List.of("uri", "url")) {
      if (c.get(k) instanceof String s && !s.isBlank()) {
        return s;
      }
    }
    Object host = c.getOrDefault("hostname", c.get("host"));
    Object port = c.get("port");
    if (host == null || port == null) {
      return null;
    }
    String scheme = switch (key) {
      case "postgresql" -> "postgres";
      case "mysql" -> "mysql";
      case "redis" -> "redis";
      default -> null;
    };
    if (scheme == null) {
      return null;
    }
    Object user = c.getOrDefault("username", c.get("user"));
    Object password = c.get("password");
    Object name = c.get("name");
    StringBuilder url = new StringBuilder(scheme).append("://");
    if (user != null || password != null) {
      url.append(user == null ? "" : enc(user)).append(password == null ? "" : ":" + enc(password))
          .append('@');
    }
    url.append(host).append(':').append(port);
    if (name != null && !scheme.equals("redis")) {
      url.append('/').append(enc(name));
    }
    return url.toString();
  }

  private static String enc(Object value) {
    return URLEncoder.encode(String.valueOf(value), StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static void putIfPresent(Map<String, Object> map, String key, Object value) {
    if (value != null) {
      map.put(key, value);
    }
  }
}
