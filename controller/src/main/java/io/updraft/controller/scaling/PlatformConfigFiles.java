package io.updraft.controller.scaling;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.updraft.common.config.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a scaling platform's own YAML file ({@code openstack_config.yml}, {@code
 * ec2_config.yml}, {@code docker_config.yml}). Like the component config, unknown keys are
 * errors, and every failure is a {@link ConfigException} naming the controller key that
 * points at the file; the message never quotes the file's values (they hold secrets).
 */
final class PlatformConfigFiles {

  private static final ObjectMapper YAML = YAMLMapper.builder(new YAMLFactory())
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .disable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
      .build();

  private PlatformConfigFiles() {
  }

  /**
   * Reads {@code file} as a {@code type}.
   *
   * @param key the controller key naming the file, for messages ({@code openstack_config})
   */
  static <T> T read(String key, String file, Class<T> type) {
    if (file == null || file.isBlank()) {
      throw new ConfigException(key, "not set: give the path of the platform's YAML file");
    }
    Path path = Path.of(file);
    if (!Files.isRegularFile(path)) {
      throw new ConfigException(key, "no such file: " + path);
    }
    try {
      T value = YAML.readValue(path.toFile(), type);
      if (value == null) {
        throw new ConfigException(key, path + " is empty");
      }
      return value;
    } catch (UnrecognizedPropertyException e) {
      throw new ConfigException(key, path + ": unknown key '" + e.getPropertyName() + "'");
    } catch (JsonProcessingException e) {
      // the original message may quote a value, so say only where it went wrong
      String where = e.getLocation() == null ? ""
          : " at line " + e.getLocation().getLineNr() + ", column "
              + e.getLocation().getColumnNr();
      throw new ConfigException(key, path + " is not a valid YAML mapping of the expected keys"
          + where);
    } catch (IOException e) {
      throw new ConfigException(key, "cannot read " + path + ": " + e.getMessage());
    }
  }

  /** Fails naming {@code key.field} when a required value is missing or blank. */
  static String require(String key, String field, String value) {
    if (value == null || value.isBlank()) {
      throw new ConfigException(key, field + " is required");
    }
    return value;
  }
}
