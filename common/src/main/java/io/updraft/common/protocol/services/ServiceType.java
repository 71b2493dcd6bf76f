package io.updraft.common.protocol.services;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The data services Updraft offers, with the names each is known by (PROTOCOL.md 9.1): the
 * unversioned service name ({@code VCAP_SERVICES} key, decision 5), the bus name that prefixes
 * every gateway/node subject, and the category the controller synthesises for
 * {@code /info/services} and the DEA start message's {@code type}.
 *
 * <p>Shared by the services node (which serves some of them) and the controller (which acts as
 * the gateway for all of them).
 */
public enum ServiceType {
  POSTGRESQL("postgresql", "AuaaS", "database", List.of("postgresql", "relational"),
      "PostgreSQL database"),
  MYSQL("mysql", "MyaaS", "database", List.of("mysql", "relational"),
      "MySQL/MariaDB database"),
  REDIS("redis", "RaaS", "key-value", List.of("redis", "key-value"),
      "Redis key-value store"),
  FILESYSTEM("filesystem", "FilesystemaaS", "generic", List.of("filesystem"),
      "Persistent directory");

  private final String label;
  private final String busName;
  private final String category;
  private final List<String> tags;
  private final String description;

  ServiceType(String label, String busName, String category, List<String> tags,
      String description) {
    this.label = label;
    this.busName = busName;
    this.category = category;
    this.tags = tags;
    this.description = description;
  }

  /** The unversioned service name ({@code postgresql}), also the vendor in the v1 API. */
  public String serviceName() {
    return label;
  }

  /** Prefix of the gateway/node subjects, e.g. {@code AuaaS}. */
  public String busName() {
    return busName;
  }

  /** {@code database}, {@code key-value} or {@code generic}. */
  public String category() {
    return category;
  }

  public List<String> tags() {
    return tags;
  }

  public String description() {
    return description;
  }

  /** The type of that service name (case-insensitive), if Updraft offers it. */
  public static Optional<ServiceType> byName(String name) {
    if (name == null) {
      return Optional.empty();
    }
    String wanted = name.trim().toLowerCase(Locale.ROOT);
    return Arrays.stream(values()).filter(t -> t.label.equals(wanted)).findFirst();
  }

  /** Every service name, for error messages. */
  public static List<String> names() {
    return Arrays.stream(values()).map(ServiceType::serviceName).toList();
  }
}
