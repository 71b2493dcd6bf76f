package io.updraft.controller.scaling;

import io.updraft.common.config.ConfigException;
import io.vertx.core.Vertx;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the cloud platforms ({@code docker}, {@code openstack}, {@code ec2}) from their YAML
 * files at controller start. A missing or malformed file does not stop the controller: it is
 * logged ({@code scaling.platform.unavailable}) and the platform becomes {@link
 * ScalingPlatform#none}, so every scale request records a {@code scaling.failed} event with
 * the reason.
 */
public final class ScalingPlatforms {

  private static final Logger log = LoggerFactory.getLogger(ScalingPlatforms.class);

  private ScalingPlatforms() {
  }

  /**
   * @param name {@code docker}, {@code openstack} or {@code ec2}
   * @param file the platform's YAML file (the controller's {@code *_config} key)
   * @param defaultCoreIp the core address new DEAs get when the file names none (the
   *     controller's own address: it runs on the core node)
   */
  public static ScalingPlatform cloud(Vertx vertx, String name, String file,
      String defaultCoreIp, Clock clock) {
    try {
      return switch (name) {
        case "docker" -> {
          DockerConfig c = DockerConfig.load(file);
          yield new DockerPlatform(vertx, c.coreIp() == null ? c.withCoreIp(defaultCoreIp) : c);
        }
        case "openstack" -> {
          OpenStackConfig c = OpenStackConfig.load(file);
          yield new OpenStackPlatform(vertx, c.coreIp() == null ? c.withCoreIp(defaultCoreIp) : c,
              clock);
        }
        case "ec2" -> {
          Ec2Config c = Ec2Config.load(file);
          yield new Ec2Platform(vertx, c.coreIp() == null ? c.withCoreIp(defaultCoreIp) : c);
        }
        default -> throw new ConfigException("primary_scaling_platform",
            "no cloud platform named '" + name + "'");
      };
    } catch (RuntimeException e) {
      // ConfigException names the key; anything else (an SDK refusing a region) says what
      String reason = "the " + name + " scaling platform is not usable: " + e.getMessage();
      log.atError().setMessage("scaling.platform.unavailable").addKeyValue("platform", name)
          .addKeyValue("reason", reason).log();
      return ScalingPlatform.none(reason);
    }
  }
}
