package io.updraft.controller.scaling;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The user data a new cloud VM boots with: cloud-init that records the core's address and
 * attaches the node to the cluster as a DEA ({@code kato attach -e dea CORE_IP}), the way a
 * Stackato DEA image joins its core. An operator may supply another template; {@code
 * ${core_ip}} in it is replaced by the core address.
 */
public final class DeaUserData {

  /** The placeholder replaced by the core address in a user-data template. */
  public static final String CORE_IP = "${core_ip}";

  /** The default template. */
  public static final String DEFAULT_TEMPLATE = """
      #cloud-config
      write_files:
        - path: /etc/updraft/core_address
          permissions: '0644'
          content: |
            ${core_ip}
      runcmd:
        - [kato, attach, -e, dea, '${core_ip}']
      """;

  private DeaUserData() {
  }

  /** The template (default when null) with the core address filled in. */
  public static String render(String template, String coreIp) {
    return (template == null ? DEFAULT_TEMPLATE : template).replace(CORE_IP, coreIp);
  }

  /** {@link #render} encoded as the clouds want it: base64 of the UTF-8 text. */
  public static String base64(String template, String coreIp) {
    return Base64.getEncoder().encodeToString(render(template, coreIp)
        .getBytes(StandardCharsets.UTF_8));
  }
}
