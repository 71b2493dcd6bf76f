package io.updraft.common.protocol.staging;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.updraft.common.protocol.Immutable;
import io.updraft.common.protocol.dea.RuntimeInfo;
import io.updraft.common.protocol.dea.ServiceBinding;
import java.util.List;
import java.util.Map;

/**
 * The {@code properties} of a {@link StagingRequest}: what the stager needs to know about the
 * app (PROTOCOL.md 7.2). The stager hands it to the buildpack as the staging environment.
 *
 * <pre>{"services":[],"framework":"sinatra","runtime":"ruby19",
 *  "resources":{"memory":128,"disk":2048,"fds":256},"environment":["RACK_ENV=staging"],
 *  "meta":{}}</pre>
 *
 * @param services bound services, the same shape as in the DEA start message
 * @param frameworkInfo G3 framework manifest (runtimes, detection rules, …), passed through
 *     untyped; not written when empty
 * @param runtimeInfo G3 runtime description
 * @param resources the app's limits
 * @param environment user variables {@code NAME=value}; may hold secrets, never logged
 * @param meta app metadata ({@code debug}, {@code console}, {@code command} for standalone apps)
 */
public record StagingProperties(
    @JsonProperty("services") List<ServiceBinding> services,
    @JsonProperty("framework") String framework,
    @JsonProperty("framework_info") @JsonInclude(JsonInclude.Include.NON_EMPTY)
    Map<String, Object> frameworkInfo,
    @JsonProperty("runtime") String runtime,
    @JsonProperty("runtime_info") RuntimeInfo runtimeInfo,
    @JsonProperty("resources") Resources resources,
    @JsonProperty("environment") List<String> environment,
    @JsonProperty("meta") Map<String, Object> meta) {

  public StagingProperties {
    services = Immutable.list(services);
    frameworkInfo = Immutable.map(frameworkInfo);
    environment = Immutable.list(environment);
    meta = Immutable.map(meta);
  }

  /** The runtime to stage for: {@code runtime_info.name}, else {@code runtime}. */
  public String runtimeName() {
    return RuntimeInfo.effectiveName(runtimeInfo, runtime);
  }

  /** Without the environment and service credentials, which may hold secrets. */
  @Override
  public String toString() {
    return "StagingProperties{framework=" + framework + ", runtime=" + runtimeName()
        + ", services=" + services + ", resources=" + resources + "}";
  }

  /**
   * The app's resource limits as staging sees them (note {@code memory}, where the DEA start
   * message says {@code mem}).
   *
   * @param memoryMb memory limit in MB
   * @param diskMb disk quota in MB
   * @param fds open file descriptor limit
   */
  public record Resources(
      @JsonProperty("memory") Integer memoryMb,
      @JsonProperty("disk") Integer diskMb,
      @JsonProperty("fds") Integer fds) {
  }
}
