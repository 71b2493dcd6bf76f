package io.updraft.controller.scaling;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.updraft.common.config.ConfigException;
import java.util.List;

/**
 * {@code ec2_config.yml}: where and how the {@code ec2} platform runs DEA instances.
 *
 * <pre>
 * region: us-east-1
 * endpoint: null                  # optional: another EC2-compatible endpoint (tests, clouds)
 * access_key_id: AKIA…            # optional with secret_access_key: the SDK's default
 * secret_access_key: …            #   chain (environment, profile, instance role) otherwise
 * ami: ami-0abcdef1234567890
 * instance_type: m5.large
 * subnet_id: subnet-0123456789abcdef0
 * security_group_ids: [sg-0123456789abcdef0]
 * key_name: ops
 * name: updraft-dea               # the Name tag of every instance
 * core_ip: 10.0.5.6               # optional: the controller's own address otherwise
 * user_data: null                 # optional cloud-init template, ${core_ip} is filled in
 * timeout_seconds: 60
 * max_attempts: 3                 # the SDK's attempts per call (throttling, 5xx)
 * </pre>
 *
 * <p>{@link #toString()} leaves the secret key out.
 */
public record Ec2Config(
    @JsonProperty("region") String region,
    @JsonProperty("endpoint") String endpoint,
    @JsonProperty("access_key_id") String accessKeyId,
    @JsonProperty("secret_access_key") String secretAccessKey,
    @JsonProperty("ami") String ami,
    @JsonProperty("instance_type") String instanceType,
    @JsonProperty("subnet_id") String subnetId,
    @JsonProperty("security_group_ids") List<String> securityGroupIds,
    @JsonProperty("key_name") String keyName,
    @JsonProperty("name") String name,
    @JsonProperty("core_ip") String coreIp,
    @JsonProperty("user_data") String userData,
    @JsonProperty("timeout_seconds") Integer timeoutSeconds,
    @JsonProperty("max_attempts") Integer maxAttempts) {

  static final String KEY = "ec2_config";

  public Ec2Config {
    securityGroupIds = securityGroupIds == null ? List.of() : List.copyOf(securityGroupIds);
    name = name == null ? "updraft-dea" : name;
    timeoutSeconds = timeoutSeconds == null ? 60 : timeoutSeconds;
    maxAttempts = maxAttempts == null ? 3 : maxAttempts;
  }

  /** Reads and validates the file named by the controller's {@code ec2_config}. */
  public static Ec2Config load(String file) {
    return PlatformConfigFiles.read(KEY, file, Ec2Config.class).validate();
  }

  public Ec2Config validate() {
    PlatformConfigFiles.require(KEY, "region", region);
    PlatformConfigFiles.require(KEY, "ami", ami);
    PlatformConfigFiles.require(KEY, "instance_type", instanceType);
    if ((accessKeyId == null) != (secretAccessKey == null)) {
      throw new ConfigException(KEY, "give both access_key_id and secret_access_key, or "
          + "neither (the default credential chain)");
    }
    if (endpoint != null && !endpoint.startsWith("http://") && !endpoint.startsWith("https://")) {
      throw new ConfigException(KEY, "endpoint must be an http(s) URL");
    }
    if (timeoutSeconds < 1) {
      throw new ConfigException(KEY, "timeout_seconds must be positive");
    }
    if (maxAttempts < 1) {
      throw new ConfigException(KEY, "max_attempts must be at least 1");
    }
    return this;
  }

  Ec2Config withCoreIp(String value) {
    return new Ec2Config(region, endpoint, accessKeyId, secretAccessKey, ami, instanceType,
        subnetId, securityGroupIds, keyName, name, value, userData, timeoutSeconds, maxAttempts);
  }

  @Override
  public String toString() {
    return "Ec2Config{region=" + region + ", endpoint=" + endpoint + ", access_key_id="
        + accessKeyId + ", secret_access_key=" + (secretAccessKey == null ? null : "***")
        + ", ami=" + ami + ", instance_type=" + instanceType + ", subnet_id=" + subnetId
        + ", security_group_ids=" + securityGroupIds + ", key_name=" + keyName + ", name="
        + name + ", core_ip=" + coreIp + "}";
  }
}
