package io.updraft.kato.node;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.updraft.common.bus.NatsConfig;
import io.updraft.common.config.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * This node's own settings, kept in {@code $UPDRAFT_HOME/node.yml} (mode 0600, it holds the
 * NATS credentials): how {@code kato} reaches the cluster's bus. Written when the node becomes
 * a core or attaches to one, and by the micro cloud.
 */
public record NodeConfig(@JsonProperty("nats") NatsConfig nats) {

  private static final YAMLMapper YAML = YAMLMapper.builder()
      .serializationInclusion(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
      .build();

  /** {@code $UPDRAFT_HOME}, else {@code ~/.updraft}. */
  public static Path home() {
    String home = System.getenv("UPDRAFT_HOME");
    return home != null && !home.isBlank() ? Path.of(home)
        : Path.of(System.getProperty("user.home"), ".updraft");
  }

  public static Path defaultFile() {
    return home().resolve("node.yml");
  }

  /** Reads the node file; a missing file means a node that is not set up. */
  public static NodeConfig read(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new ConfigException(file.toString(),
          "this node is not part of a cluster yet (no node file); start the micro cloud, "
              + "run 'kato setup core', or pass --nats");
    }
    try {
      NodeConfig config = YAML.readValue(file.toFile(), NodeConfig.class);
      if (config == null || config.nats() == null) {
        throw new ConfigException(file + ": nats", "missing");
      }
      config.nats().validate("nats.");
      return config;
    } catch (IOException e) {
      throw new ConfigException(file.toString(), "unreadable: " + e.getMessage());
    }
  }

  /** Writes the file readable by its owner only. */
  public void write(Path file) throws IOException {
    Files.createDirectories(file.getParent());
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.deleteIfExists(tmp);
    Files.createFile(tmp, PosixFilePermissions.asFileAttribute(
        PosixFilePermissions.fromString("rw-------")));
    YAML.writeValue(tmp.toFile(), this);
    Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }
}
