package io.updraft.client.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.updraft.client.api.CloudException;
import io.updraft.common.protocol.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

/**
 * Where the client keeps its target and token: {@code $XDG_CONFIG_HOME/updraft/client.json},
 * else {@code $HOME/.updraft/client.json} ({@code HOME} as the shell has it, else the JVM's
 * user home), readable by the user only. {@code UPDRAFT_TARGET} and
 * {@code UPDRAFT_TOKEN} override it (for scripts and CI).
 */
public record ClientConfig(@JsonProperty("target") String target,
    @JsonProperty("token") String token, @JsonProperty("user") String user) {

  private static final ObjectMapper MAPPER = Json.mapper();

  public static Path file(Map<String, String> env) {
    String xdg = env.get("XDG_CONFIG_HOME");
    if (xdg != null && !xdg.isBlank()) {
      return Path.of(xdg, "updraft", "client.json");
    }
    String home = env.get("HOME");
    return Path.of(home != null && !home.isBlank() ? home : System.getProperty("user.home"),
        ".updraft", "client.json");
  }

  public static ClientConfig load(Map<String, String> env) {
    ClientConfig stored = new ClientConfig(null, null, null);
    Path file = file(env);
    if (Files.isRegularFile(file)) {
      try {
        stored = MAPPER.readValue(file.toFile(), ClientConfig.class);
      } catch (IOException e) {
        throw new CloudException(0, -1, "cannot read " + file + ": " + e.getMessage()
            + " (delete it and log in again)");
      }
    }
    return new ClientConfig(
        env.getOrDefault("UPDRAFT_TARGET", stored.target()),
        env.getOrDefault("UPDRAFT_TOKEN", stored.token()),
        stored.user());
  }

  public void save(Map<String, String> env) throws IOException {
    Path file = file(env);
    Files.createDirectories(file.getParent());
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.deleteIfExists(tmp);
    Files.createFile(tmp, PosixFilePermissions.asFileAttribute(
        PosixFilePermissions.fromString("rw-------")));
    MAPPER.writeValue(tmp.toFile(), this);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  public ClientConfig withTarget(String newTarget) {
    return new ClientConfig(newTarget, null, null);
  }

  public ClientConfig withLogin(String newUser, String newToken) {
    return new ClientConfig(target, newToken, newUser);
  }

  @Override
  public String toString() {
    return "ClientConfig{target=" + target + ", user=" + user + "}";
  }
}
