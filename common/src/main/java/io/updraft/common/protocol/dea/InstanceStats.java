package io.updraft.common.protocol.dea;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.updraft.common.protocol.Immutable;
import io.updraft.common.protocol.Json;
import io.updraft.common.protocol.WireMessage;
import java.util.List;

/**
 * The figures of one running instance (PROTOCOL.md 3.8, 3.9). Two uses, one shape: the
 * {@code stats} object of a {@link FindDropletReply} (asked with {@code include_stats}, read by
 * the controller for {@code GET /apps/:name/stats}), and on its own the reply every DEA sends
 * per STARTING/RUNNING instance to a {@code droplet.status} request from a tool (there
 * {@code cores} is absent). Note the units: quotas in bytes, measured memory in KB.
 *
 * <pre>{"name":"blog","host":"10.0.0.7","port":61023,"uris":["blog.vcap.me"],"uptime":3600.5,
 * "mem_quota":134217728,"disk_quota":2147483648,"fds_quota":256,"cores":4,
 * "usage":{"time":"2012-06-05 14:03:11 -0700","cpu":1.5,"mem":24576.0,"disk":10485760}}</pre>
 *
 * @param host DEA address
 * @param port the instance's app port
 * @param uptimeSeconds seconds since the instance record was created
 * @param memQuotaBytes memory limit in bytes
 * @param diskQuotaBytes disk quota in bytes
 * @param cores CPU cores of the DEA host
 * @param usage the latest usage sample, when one was taken
 */
public record InstanceStats(
    @JsonProperty("name") String name,
    @JsonProperty("host") String host,
    @JsonProperty("port") Integer port,
    @JsonProperty("uris") List<String> uris,
    @JsonProperty("uptime") Double uptimeSeconds,
    @JsonProperty("mem_quota") Long memQuotaBytes,
    @JsonProperty("disk_quota") Long diskQuotaBytes,
    @JsonProperty("fds_quota") Integer fdsQuota,
    @JsonProperty("cores") Integer cores,
    @JsonProperty("usage") Usage usage) implements WireMessage {

  public InstanceStats {
    uris = Immutable.list(uris);
  }

  public static InstanceStats fromJson(byte[] payload) {
    return Json.decode(payload, InstanceStats.class);
  }

  @Override
  public String logView() {
    return "InstanceStats{name=" + name + ", host=" + host + ", port=" + port + "}";
  }

  /**
   * One usage sample, taken every 2 s by the DEA's monitor.
   *
   * @param time sample time, Ruby {@code Time#to_s} style
   * @param cpuPercent CPU use, percent of one core
   * @param memKb resident memory in KB
   * @param diskBytes disk use of the instance directory in bytes
   */
  public record Usage(
      @JsonProperty("time") String time,
      @JsonProperty("cpu") Double cpuPercent,
      @JsonProperty("mem") Double memKb,
      @JsonProperty("disk") Long diskBytes) {
  }
}
