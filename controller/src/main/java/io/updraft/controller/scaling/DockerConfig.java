package io.updraft.controller.scaling;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.updraft.common.config.ConfigException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code docker_config.yml}: how the {@code docker} platform runs DEA containers.
 *
 * <pre>
 * host: unix:///var/run/docker.sock   # or tcp://10.0.5.7:2375
 * image: updraft/dea:latest           # must be on the engine already
 * network: updraft                    # optional: the engine's default bridge otherwise
 * name_prefix: updraft-dea-
 * nats_servers: [nats://10.0.5.6:4222] # optional: nats://CORE_IP:4222 otherwise
 * nats_user: updraft                  # optional
 * nats_password: …                    # optional
 * dea_memory_mb: 4096                 # the DEA's max_memory_mb for apps
 * container_memory_mb: 4608           # optional limit of the container
 * env: {UPDRAFT__LOG_LEVEL: info}     # more environment for the DEA
 * core_ip: 10.0.5.6                   # optional: the controller's own address otherwise
 * api_version: null                   # optional Engine API version (v1.43): the engine's own
 * timeout_seconds: 30
 * </pre>
 *
 * <p>The DEA reads its config from the environment ({@code UPDRAFT__NATS__SERVERS}, …), so
 * the NATS credentials travel in the container's environment; {@link #toString()} and the
 * logs leave them out.
 */
public record DockerConfig(
    @JsonProperty("host") String host,
    @JsonProperty("image") String image,
    @JsonProperty("network") String network,
    @JsonProperty("name_prefix") String namePrefix,
    @JsonProperty("nats_servers") List<String> natsServers,
    @JsonProperty("nats_user") String natsUser,
    @JsonProperty("nats_password") String natsPassword,
    @JsonProperty("dea_memory_mb") Long deaMemoryMb,
    @JsonProperty("container_memory_mb") Long containerMemoryMb,
    @JsonProperty("env") Map<String, String> env,
    @JsonProperty("core_ip") String coreIp,
    @JsonProperty("api_version") String apiVersion,
    @JsonProperty("timeout_seconds") Integer timeoutSeconds) {

  static final String KEY = "docker_config";
  public static final String DEFAULT_HOST = "unix:///var/run/docker.sock";

  public DockerConfig {
    host = host == null ? DEFAULT_HOST : host;
    namePrefix = namePrefix == null ? "updraft-dea-" : namePrefix;
    natsServers = natsServers == null ? List.of() : List.copyOf(natsServers);
    env = env == null ? Map.of() : Map.copyOf(env);
    timeoutSeconds = timeoutSeconds == null ? 30 : timeoutSeconds;
  }

  public static DockerConfig load(String file) {
    return PlatformConfigFiles.read(KEY, file, DockerConfig.class).validate();
  }

  public DockerConfig validate() {
    PlatformConfigFiles.require(KEY, "image", image);
    if (!host.startsWith("unix://") && !host.startsWith("tcp://")
        && !host.startsWith("http://")) {
      throw new ConfigException(KEY, "host must be unix:///path or tcp://host:port");
    }
    if (timeoutSeconds < 1) {
      throw new ConfigException(KEY, "timeout_seconds must be positive");
    }
    if (containerMemoryMb != null && containerMemoryMb < 6) {
      throw new ConfigException(KEY, "container_memory_mb must be at least 6 (Docker's minimum)");
    }
    return this;
  }

  /**
   * The DEA container's environment: the operator's {@code env}, then the core address
   * (NATS servers and credentials) and memory, which win.
   */
  Map<String, String> deaEnvironment() {
    Map<String, String> all = new LinkedHashMap<>(env);
    List<String> servers = natsServers.isEmpty() && coreIp != null
        ? List.of("nats://" + coreIp + ":4222") : natsServers;
    if (!servers.isEmpty()) {
      all.put("UPDRAFT__NATS__SERVERS", "[" + String.join(", ", servers) + "]");
    }
    if (natsUser != null) {
      all.put("UPDRAFT__NATS__USER", natsUser);
    }
    if (natsPassword != null) {
      all.put("UPDRAFT__NATS__PASSWORD", natsPassword);
    }
    if (deaMemoryMb != null) {
      all.put("UPDRAFT__MAX_MEMORY_MB", String.valueOf(deaMemoryMb));
    }
    return all;
  }

  DockerConfig withCoreIp(String value) {
    return new DockerConfig(host, image, network, namePrefix, natsServers, natsUser,
        natsPassword, deaMemoryMb, containerMemoryMb, env, value, apiVersion, timeoutSeconds);
  }

  @Override
  public String toString() {
    return "DockerConfig{host=" + host + ", image=" + image + ", network=" + network
        + ", name_prefix=" + namePrefix + ", nats_servers=<" + natsServers.size()
        + ">, nats_user=" + (natsUser == null ? null : "***") + ", nats_password="
        + (natsPassword == null ? null : "***") + ", dea_memory_mb=" + deaMemoryMb
        + ", container_memory_mb=" + containerMemoryMb + ", env=" + env.keySet()
        + ", core_ip=" + coreIp + "}";
  }
}
