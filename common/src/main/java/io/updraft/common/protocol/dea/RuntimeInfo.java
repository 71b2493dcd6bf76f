package io.updraft.common.protocol.dea;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.updraft.common.protocol.Immutable;
import java.util.List;
import java.util.Map;

/**
 * The G3 runtime description the controller sends with {@code dea.discover},
 * {@code dea.<uuid>.start} and staging requests (PROTOCOL.md 3.4, 7.2). G3 DEAs match on
 * {@link #name}; G1/G2 DEAs only read the plain {@code runtime} string, so senders put both.
 * Empty parts are not written.
 *
 * <pre>{"name":"ruby19","version":"1.9.2","executable":"ruby",
 *  "environment":{"bundle_gemfile":null}}</pre>
 *
 * @param environment variables exported for every instance of this runtime (null values are
 *     dropped, v1 readers treat them as absent)
 * @param debugEnv per debug mode ({@code run}, {@code suspend}), extra {@code NAME=value} entries
 * @param versionFlag argument that makes the executable print its version
 * @param versionOutput expected output of {@code executable versionFlag}
 * @param additionalChecks extra arguments whose output must be {@code true}
 */
public record RuntimeInfo(
    @JsonProperty("name") String name,
    @JsonProperty("version") String version,
    @JsonProperty("description") String description,
    @JsonProperty("executable") String executable,
    @JsonProperty("version_flag") String versionFlag,
    @JsonProperty("version_output") String versionOutput,
    @JsonProperty("additional_checks") String additionalChecks,
    @JsonProperty("environment") Map<String, String> environment,
    @JsonProperty("debug_env") @JsonInclude(JsonInclude.Include.NON_EMPTY)
    Map<String, List<String>> debugEnv,
    @JsonProperty("debug_modes") @JsonInclude(JsonInclude.Include.NON_EMPTY)
    List<String> debugModes) {

  public RuntimeInfo {
    environment = Immutable.map(environment);
    debugEnv = Immutable.map(debugEnv);
    debugModes = Immutable.list(debugModes);
  }

  /** The runtime to match on: {@code runtime_info.name} (G3) when present, else {@code runtime}. */
  public static String effectiveName(RuntimeInfo info, String runtime) {
    return info != null && info.name() != null ? info.name() : runtime;
  }
}
