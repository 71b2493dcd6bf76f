package io.updraft.controller.scaling;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.updraft.common.config.ConfigException;
import java.util.List;

/**
 * {@code openstack_config.yml}: where and how the {@code openstack} platform creates DEA
 * servers. Keystone v3 password authentication scoped to a project; Nova creates servers.
 *
 * <pre>
 * auth_url: https://keystone.example.com:5000   # with or without /v3
 * username: updraft
 * password: …
 * user_domain_name: Default
 * project_name: paas
 * project_domain_name: Default
 * region: RegionOne              # optional: the first compute endpoint otherwise
 * image: updraft-dea-2.0         # id, or a name looked up in Glance
 * flavor: m1.medium              # id or name
 * network: 6a1c…                 # network id (uuid)
 * key_name: ops
 * security_groups: [default, updraft-dea]
 * name_prefix: updraft-dea-
 * core_ip: 10.0.5.6              # optional: the controller's own address otherwise
 * user_data: null                # optional cloud-init template, ${core_ip} is filled in
 * timeout_seconds: 60
 * </pre>
 *
 * <p>{@link #toString()} leaves the password out; nothing logs this record's secrets.
 */
public record OpenStackConfig(
    @JsonProperty("auth_url") String authUrl,
    @JsonProperty("username") String username,
    @JsonProperty("password") String password,
    @JsonProperty("user_domain_name") String userDomainName,
    @JsonProperty("project_name") String projectName,
    @JsonProperty("project_domain_name") String projectDomainName,
    @JsonProperty("region") String region,
    @JsonProperty("interface") String endpointInterface,
    @JsonProperty("image") String image,
    @JsonProperty("flavor") String flavor,
    @JsonProperty("network") String network,
    @JsonProperty("key_name") String keyName,
    @JsonProperty("security_groups") List<String> securityGroups,
    @JsonProperty("name_prefix") String namePrefix,
    @JsonProperty("core_ip") String coreIp,
    @JsonProperty("user_data") String userData,
    @JsonProperty("timeout_seconds") Integer timeoutSeconds) {

  static final String KEY = "openstack_config";

  public OpenStackConfig {
    userDomainName = userDomainName == null ? "Default" : userDomainName;
    projectDomainName = projectDomainName == null ? "Default" : projectDomainName;
    endpointInterface = endpointInterface == null ? "public" : endpointInterface;
    securityGroups = securityGroups == null ? List.of() : List.copyOf(securityGroups);
    namePrefix = namePrefix == null ? "updraft-dea-" : namePrefix;
    timeoutSeconds = timeoutSeconds == null ? 60 : timeoutSeconds;
  }

  /** Reads and validates the file named by the controller's {@code openstack_config}. */
  public static OpenStackConfig load(String file) {
    return PlatformConfigFiles.read(KEY, file, OpenStackConfig.class).validate();
  }

  /** Fails naming the first missing or bad field. */
  public OpenStackConfig validate() {
    String url = PlatformConfigFiles.require(KEY, "auth_url", authUrl);
    if (!url.startsWith("http://") && !url.startsWith("https://")) {
      throw new ConfigException(KEY, "auth_url must be an http(s) URL");
    }
    PlatformConfigFiles.require(KEY, "username", username);
    PlatformConfigFiles.require(KEY, "password", password);
    PlatformConfigFiles.require(KEY, "project_name", projectName);
    PlatformConfigFiles.require(KEY, "image", image);
    PlatformConfigFiles.require(KEY, "flavor", flavor);
    if (timeoutSeconds < 1) {
      throw new ConfigException(KEY, "timeout_seconds must be positive");
    }
    return this;
  }

  /** The Keystone v3 base: {@code auth_url} with {@code /v3} added when missing. */
  String keystoneV3() {
    String base = authUrl.endsWith("/") ? authUrl.substring(0, authUrl.length() - 1) : authUrl;
    return base.endsWith("/v3") ? base : base + "/v3";
  }

  /** This config with another core address (the controller's, when none is set). */
  OpenStackConfig withCoreIp(String value) {
    return new OpenStackConfig(authUrl, username, password, userDomainName, projectName,
        projectDomainName, region, endpointInterface, image, flavor, network, keyName,
        securityGroups, namePrefix, value, userData, timeoutSeconds);
  }

  @Override
  public String toString() {
    return "OpenStackConfig{auth_url=" + authUrl + ", username=" + username
        + ", password=***, user_domain_name=" + userDomainName + ", project_name=" + projectName
        + ", project_domain_name=" + projectDomainName + ", region=" + region + ", image="
        + image + ", flavor=" + flavor + ", network=" + network + ", key_name=" + keyName
        + ", security_groups=" + securityGroups + ", name_prefix=" + namePrefix + ", core_ip="
        + coreIp + "}";
  }
}
