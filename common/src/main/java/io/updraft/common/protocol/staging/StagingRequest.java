package io.updraft.common.protocol.staging;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.updraft.common.logging.Redact;
import io.updraft.common.protocol.Json;
import io.updraft.common.protocol.Require;
import io.updraft.common.protocol.WireMessage;

/**
 * {@code staging}: the controller asks one stager to turn an app package into a droplet
 * (PROTOCOL.md 7.1, 7.3). Stagers subscribe in queue group {@code staging}, so exactly one takes
 * each task; it downloads the package from {@code download_uri}, runs the buildpack, uploads the
 * droplet to {@code upload_uri} and replies with a {@link StagingResult} (the controller waits
 * up to 120 s).
 *
 * <pre>{"app_id":"42","properties":{…},
 * "download_uri":"http://stg:secret@10.0.0.2:9022/staging/app/42",
 * "upload_uri":"http://stg:secret@10.0.0.2:9022/staging/droplet/42/5d0c…"}</pre>
 *
 * @param appId app id
 * @param downloadUri package URL with single-purpose Basic-auth credentials embedded; secret
 * @param uploadUri droplet upload URL with single-purpose Basic-auth credentials embedded; secret
 * @param taskId Updraft addition, optional: the staging task's id; when present the stager
 *     streams each log line on {@code staging.<task_id>.log} ({@link StagingLogLine}) while it
 *     works, so the client sees the log during push
 */
public record StagingRequest(
    @JsonProperty("app_id") String appId,
    @JsonProperty("properties") StagingProperties properties,
    @JsonProperty("download_uri") String downloadUri,
    @JsonProperty("upload_uri") String uploadUri,
    @JsonProperty("task_id") String taskId) implements WireMessage {

  public StagingRequest {
    Require.nonBlank(appId, "app_id");
    Require.present(properties, "properties");
    Require.nonBlank(downloadUri, "download_uri");
    Require.nonBlank(uploadUri, "upload_uri");
  }

  public static StagingRequest fromJson(byte[] payload) {
    return Json.decode(payload, StagingRequest.class);
  }

  /** With the credentials stripped from both URIs. */
  @Override
  public String logView() {
    return "StagingRequest{app_id=" + appId + ", framework=" + properties.framework()
        + ", runtime=" + properties.runtimeName() + ", download_uri=" + Redact.url(downloadUri)
        + ", upload_uri=" + Redact.url(uploadUri) + "}";
  }

  /** The log view: the URIs' credentials must not reach a log by accident. */
  @Override
  public String toString() {
    return logView();
  }
}
