package io.updraft.kato.micro;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.updraft.common.component.ComponentIdentity;
import io.updraft.common.files.PrivateFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * What a micro cloud keeps between starts ({@code $UPDRAFT_HOME/micro/micro.yml}, mode 0600):
 * its NATS port and credentials, generated on the first start, so a second start is the same
 * cloud.
 */
record MicroSettings(
    @JsonProperty("nats_port") int natsPort,
    @JsonProperty("nats_user") String natsUser,
    @JsonProperty("nats_password") String natsPassword,
    @JsonProperty("admin_email") String adminEmail,
    @JsonProperty("admin_password") String adminPassword) {

  static final String DEFAULT_ADMIN = "admin@updraft.local";

  private static final YAMLMapper YAML = YAMLMapper.builder()
      .serializationInclusion(JsonInclude.Include.NON_NULL).build();

  static MicroSettings loadOrCreate(Path file, int defaultPort) throws IOException {
    if (Files.isRegularFile(file)) {
      MicroSettings stored = YAML.readValue(file.toFile(), MicroSettings.class);
      if (stored.adminPassword() != null) {
        return stored;
      }
      // settings from before admins existed: keep them, add an admin
      MicroSettings upgraded = new MicroSettings(stored.natsPort(), stored.natsUser(),
          stored.natsPassword(), DEFAULT_ADMIN, ComponentIdentity.secureId().substring(0, 16));
      upgraded.write(file);
      return upgraded;
    }
    MicroSettings created = new MicroSettings(defaultPort, "updraft",
        ComponentIdentity.secureId(), DEFAULT_ADMIN,
        ComponentIdentity.secureId().substring(0, 16));
    created.write(file);
    return created;
  }

  MicroSettings withPort(int port) {
    return new MicroSettings(port, natsUser, natsPassword, adminEmail, adminPassword);
  }

  void write(Path file) throws IOException {
    PrivateFiles.createDirectories(file.getParent());
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.deleteIfExists(tmp);
    PrivateFiles.createFile(tmp);
    YAML.writeValue(tmp.toFile(), this);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  @Override
  public String toString() {
    return "MicroSettings{nats_port=" + natsPort + ", nats_user=" + natsUser + "}";
  }
}
