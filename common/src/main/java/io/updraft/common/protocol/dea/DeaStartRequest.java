package io.updraft.common.protocol.dea;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.updraft.common.protocol.Immutable;
import io.updraft.common.protocol.Json;
import io.updraft.common.protocol.Require;
import io.updraft.common.protocol.WireMessage;
import java.util.List;

/**
 * {@code dea.<uuid>.start}: the controller tells one DEA to start one instance of an app
 * (PROTOCOL.md 3.5). There is no reply: success shows in the DEA's heartbeats, failure in
 * {@code droplet.exited} and the health manager. Sent for a user start, a scale-up and every
 * health-manager START request. Written in the full G3 shape, with {@code runtime} beside
 * {@code runtime_info} for G1/G2 readers.
 *
 * <pre>{"droplet":"42","index":1,"name":"blog","uris":["blog.vcap.me"],"runtime":"ruby19",
 * "runtime_info":{"name":"ruby19","executable":"ruby"},"framework":"sinatra","prod":false,
 * "sha1":"6f1e…","executableFile":"/var/vcap/shared/droplets/droplet_42",
 * "executableUri":"http://10.0.0.2:9022/staged_droplets/42/6f1e…","version":"6f1e…-3",
 * "services":[…],"limits":{"mem":128,"disk":2048,"fds":256},"env":["GREETING=hi"],
 * "users":["ann@example.com"],"cc_partition":"default"}</pre>
 *
 * <p>Required: {@code droplet}, {@code index}, {@code sha1} (the DEA's cache key, verified
 * after download) and {@code executableUri}. {@code executableFile} (a path on a file system
 * shared with the controller) is optional: Updraft DEAs always download.
 *
 * @param droplet app id
 * @param index instance index, 0-based
 * @param uris routes (host names, no scheme); no port is allocated when empty
 * @param executableFile droplet path on the controller's shared file system (camelCase on the wire)
 * @param executableUri where to download the droplet (camelCase on the wire)
 * @param version app version, {@code <droplet sha1>-<run count>}
 * @param services bound services; their credentials are secret
 * @param env user variables {@code NAME=value}; may hold secrets, never logged
 * @param users owner e-mails
 * @param debug debug mode requested, if any
 * @param console whether to allocate a console port
 * @param flapping set when the health manager asked for a delayed restart of a flapping index
 * @param ccPartition echoed in heartbeats and exit messages
 */
public record DeaStartRequest(
    @JsonProperty("droplet") String droplet,
    @JsonProperty("index") Integer index,
    @JsonProperty("name") String name,
    @JsonProperty("uris") List<String> uris,
    @JsonProperty("runtime") String runtime,
    @JsonProperty("runtime_info") RuntimeInfo runtimeInfo,
    @JsonProperty("framework") String framework,
    @JsonProperty("prod") Boolean prod,
    @JsonProperty("sha1") String sha1,
    @JsonProperty("executableFile") String executableFile,
    @JsonProperty("executableUri") String executableUri,
    @JsonProperty("version") String version,
    @JsonProperty("services") List<ServiceBinding> services,
    @JsonProperty("limits") Limits limits,
    @JsonProperty("env") List<String> env,
    @JsonProperty("users") List<String> users,
    @JsonProperty("debug") DebugMode debug,
    @JsonProperty("console") Boolean console,
    @JsonProperty("flapping") Boolean flapping,
    @JsonProperty("cc_partition") String ccPartition) implements WireMessage {

  /** Debug modes, lower-case on the wire. */
  public enum DebugMode {
    @JsonProperty("run") RUN,
    @JsonProperty("suspend") SUSPEND
  }

  public DeaStartRequest {
    Require.nonBlank(droplet, "droplet");
    Require.present(index, "index");
    Require.nonBlank(sha1, "sha1");
    Require.nonBlank(executableUri, "executableUri");
    uris = Immutable.list(uris);
    services = Immutable.list(services);
    env = Immutable.list(env);
    users = Immutable.list(users);
  }

  public static DeaStartRequest fromJson(byte[] payload) {
    return Json.decode(payload, DeaStartRequest.class);
  }

  /** The runtime a DEA must support: {@code runtime_info.name}, else {@code runtime}. */
  public String runtimeName() {
    return RuntimeInfo.effectiveName(runtimeInfo, runtime);
  }

  @Override
  public String logView() {
    return "DeaStartRequest{droplet=" + droplet + ", index=" + index + ", name=" + name
        + ", version=" + version + (Boolean.TRUE.equals(flapping) ? ", flapping" : "") + "}";
  }

  /** The log view: {@code env} and service credentials must not reach a log by accident. */
  @Override
  public String toString() {
    return logView();
  }
}
