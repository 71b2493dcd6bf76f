package io.updraft.servicesnode.backend;

import io.updraft.common.protocol.services.ServiceType;
import io.updraft.servicesnode.ServicesNodeConfig.ServiceConfig;
import io.updraft.servicesnode.store.InstanceRecord;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Redis, shared server, one ACL user per credential (Redis 6+): an instance is a key prefix
 * {@code <id>:}; its owner user and every binding's user may run any command that is neither
 * {@code @admin} nor {@code @dangerous}, on keys and channels under that prefix only. Apps
 * authenticate with {@code AUTH <user> <password>} and must prefix their keys.
 *
 * <p>Why not a {@code redis-server} per instance: it needs no process supervision, ports or
 * data directories on the node, and revoking a binding is one {@code ACL DELUSER} (which also
 * disconnects its clients). The price: instances share the server's memory ({@code maxmemory}
 * is server-wide, so no per-instance memory limit) and its persistence settings.
 *
 * <p>ACL users live in the server's memory; after a Redis restart the node re-creates them
 * from its records ({@link #restore}) when it starts, and on the first announcement round that
 * finds the server back or finds a new {@code run_id} (a restart between two rounds).
 */
public final class RedisBackend implements Backend {

  private static final String SCAN_BATCH = "500";

  private final ServiceConfig config;

  public RedisBackend(ServiceConfig config) {
    this.config = config;
  }

  @Override
  public ServiceType type() {
    return ServiceType.REDIS;
  }

  private RespClient admin() throws IOException {
    RespClient c = new RespClient(config.host(), config.port(), (int) (long) config.opTimeoutMs());
    try {
      if (config.adminPassword() != null && !config.adminPassword().isEmpty()) {
        if (config.adminUser() != null) {
          c.call("AUTH", config.adminUser(), config.adminPassword());
        } else {
          c.call("AUTH", config.adminPassword());
        }
      }
      return c;
    } catch (IOException e) {
      c.close();
      throw e;
    }
  }

  @Override
  public String detectVersion() throws IOException {
    try (RespClient c = admin()) {
      String version = info(c, "redis_version");
      if (version == null) {
        return "unknown";
      }
      String[] parts = version.split("\\.");
      return parts.length >= 2 ? parts[0] + "." + parts[1] : parts[0];
    }
  }

  @Override
  public String serverRunId() throws IOException {
    try (RespClient c = admin()) {
      return info(c, "run_id");
    }
  }

  private static String info(RespClient c, String field) throws IOException {
    String info = String.valueOf(c.call("INFO", "server"));
    for (String line : info.split("\r?\n")) {
      if (line.startsWith(field + ":")) {
        return line.substring(field.length() + 1).trim();
      }
    }
    return null;
  }

  @Override
  public void check() throws IOException {
    try (RespClient c = admin()) {
      c.call("PING");
    }
  }

  @Override
  public Map<String, Object> provision(String id) throws IOException {
    String prefix = Secrets.identifier(id);
    String password = Secrets.password();
    try (RespClient c = admin()) {
      setUser(c, prefix, prefix, password);
    }
    return credentials(prefix, prefix, password);
  }

  @Override
  public Map<String, Object> bind(InstanceRecord instance) throws IOException {
    String prefix = Secrets.identifier(instance.id());
    String user = Secrets.id('u');
    String password = Secrets.password();
    try (RespClient c = admin()) {
      setUser(c, prefix, user, password);
    }
    return credentials(prefix, user, password);
  }

  @Override
  public void unbind(InstanceRecord instance, Map<String, Object> binding) throws IOException {
    String user = Secrets.identifier(binding.get("user"));
    try (RespClient c = admin()) {
      // also disconnects the clients authenticated as that user
      c.call("ACL", "DELUSER", user);
    }
  }

  @Override
  public void unprovision(InstanceRecord instance) throws IOException {
    String prefix = Secrets.identifier(instance.id());
    List<String> users = new ArrayList<>();
    for (Map<String, Object> b : instance.bindings().values()) {
      users.add(Secrets.identifier(b.get("user")));
    }
    users.add(Secrets.identifier(instance.ownerUser()));
    try (RespClient c = admin()) {
      List<String> args = new ArrayList<>(List.of("ACL", "DELUSER"));
      args.addAll(users);
      c.call(args.toArray(String[]::new));
      String cursor = "0";
      do {
        List<?> reply = (List<?>) c.call("SCAN", cursor, "MATCH", prefix + ":*", "COUNT",
            SCAN_BATCH);
        cursor = String.valueOf(reply.get(0));
        List<?> keys = (List<?>) reply.get(1);
        if (!keys.isEmpty()) {
          List<String> unlink = new ArrayList<>(List.of("UNLINK"));
          keys.forEach(k -> unlink.add(String.valueOf(k)));
          c.call(unlink.toArray(String[]::new));
        }
      } while (!"0".equals(cursor));
    }
  }

  @Override
  public void restore(InstanceRecord instance) throws IOException {
    String prefix = Secrets.identifier(instance.id());
    try (RespClient c = admin()) {
      setUser(c, prefix, prefix, String.valueOf(instance.credentials().get("password")));
      for (Map<String, Object> b : instance.bindings().values()) {
        setUser(c, prefix, Secrets.identifier(b.get("user")),
            String.valueOf(b.get("password")));
      }
    }
  }

  /** Creates or resets {@code user}: enabled, one password, the prefix's keys and channels. */
  private static void setUser(RespClient c, String prefix, String user, String password)
      throws IOException {
    c.call("ACL", "SETUSER", user, "reset", "on", ">" + password, "~" + prefix + ":*",
        "&" + prefix + ":*", "+@all", "-@admin", "-@dangerous");
  }

  private Map<String, Object> credentials(String prefix, String user, String password) {
    Map<String, Object> c = Credentials.server(config, user, password);
    c.put("name", prefix);
    c.put("key_prefix", prefix + ":");
    c.put("uri", "redis://" + user + ":" + password + "@" + config.publicHost() + ":"
        + config.port());
    return c;
  }
}
