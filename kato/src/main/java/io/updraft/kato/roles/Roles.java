package io.updraft.kato.roles;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The roles file ({@code roles.yml} in the kato jar): which processes each role runs, their
 * aliases and per-cluster maxima. Immutable; every lookup accepts any spelling an operator is
 * likely to type (case, {@code -} or {@code _}, aliases).
 */
public final class Roles {

  /**
   * One supervised process: a component jar, the cluster's nats-server, a data server the
   * agent runs from the OS packages' binaries ({@code server: postgresql|mysql|redis}), or a
   * plain command line.
   */
  public record ProcessDef(
      @JsonProperty("name") String name,
      @JsonProperty("module") String module,
      @JsonProperty("component") String component,
      @JsonProperty("heap") String heap,
      @JsonProperty("command") String command,
      @JsonProperty("exec") List<String> exec,
      @JsonProperty("jvm_options") List<String> jvmOptions,
      @JsonProperty("stop_grace_seconds") Integer stopGraceSeconds,
      @JsonProperty("server") String server) {

    public ProcessDef {
      jvmOptions = jvmOptions == null ? List.of() : List.copyOf(jvmOptions);
    }

    /** A data server ({@code io.updraft.kato.dataservers}) rather than a component. */
    public boolean isServer() {
      return server != null && !server.isBlank();
    }

    /** A plain command line ({@code exec: [sleep, "600"]}), run as it is. */
    public boolean isExec() {
      return exec != null && !exec.isEmpty();
    }

    public boolean isNats() {
      return "nats-server".equals(command);
    }
  }

  /**
   * One role. {@code services}: the service types the node's services node serves for it
   * ({@code data-services}: all four).
   */
  public record RoleDef(
      @JsonProperty("name") String name,
      @JsonProperty("aliases") List<String> aliases,
      @JsonProperty("max_per_cluster") Integer maxPerCluster,
      @JsonProperty("description") String description,
      @JsonProperty("processes") List<String> processes,
      @JsonProperty("services") List<String> services) {

    public RoleDef {
      aliases = aliases == null ? List.of() : List.copyOf(aliases);
      processes = processes == null ? List.of() : List.copyOf(processes);
      services = services == null ? List.of() : List.copyOf(services);
    }
  }

  private record File(
      @JsonProperty("processes") LinkedHashMap<String, ProcessDef> processes,
      @JsonProperty("roles") LinkedHashMap<String, RoleDef> roles) {
  }

  /** Component config names besides the processes' own: the cluster-wide document. */
  public static final String CLUSTER_COMPONENT = "cluster";

  private static final Map<String, String> COMPONENT_ALIASES = Map.ofEntries(
      Map.entry("controller", "cloud_controller"), Map.entry("cc", "cloud_controller"),
      Map.entry("cloudcontroller", "cloud_controller"),
      Map.entry("healthmanager", "health_manager"), Map.entry("hm", "health_manager"),
      Map.entry("services", "services_node"), Map.entry("servicesnode", "services_node"),
      Map.entry("postgresql_node", "services_node"), Map.entry("mysql_node", "services_node"),
      Map.entry("redis_node", "services_node"), Map.entry("filesystem_node", "services_node"),
      Map.entry("gnatsd", "nats"), Map.entry("nats_server", "nats"));

  private final Map<String, ProcessDef> processes;
  private final Map<String, RoleDef> roles;
  private final Map<String, String> roleLookup = new LinkedHashMap<>();

  private Roles(Map<String, ProcessDef> processes, Map<String, RoleDef> roles) {
    this.processes = processes;
    this.roles = roles;
    roles.values().forEach(r -> {
      roleLookup.put(norm(r.name()), r.name());
      r.aliases().forEach(a -> roleLookup.put(norm(a), r.name()));
    });
    processes.values().forEach(p -> {
      if (p.isServer() && io.updraft.kato.dataservers.DataServer.byName(p.server()).isEmpty()) {
        throw new IllegalStateException("roles file: process " + p.name() + " names unknown "
            + "server '" + p.server() + "' (known: postgresql, mysql, redis)");
      }
    });
    roles.values().forEach(r -> r.processes().forEach(p -> {
      if (!processes.containsKey(p)) {
        throw new IllegalStateException("roles file: role " + r.name() + " names unknown process "
            + p);
      }
    }));
  }

  /** The roles file shipped in the kato jar. */
  public static Roles builtIn() {
    try (InputStream in = Roles.class.getResourceAsStream("/roles.yml")) {
      if (in == null) {
        throw new IllegalStateException("roles.yml missing from the kato jar");
      }
      return parse(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A roles file of the operator's (or a test's) instead of the built-in one. */
  public static Roles load(java.nio.file.Path file) {
    try (InputStream in = java.nio.file.Files.newInputStream(file)) {
      return parse(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Roles parse(InputStream in) throws IOException {
    File file = YAMLMapper.builder().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .build().readValue(in, File.class);
    Map<String, ProcessDef> procs = new LinkedHashMap<>();
    file.processes().forEach((name, p) -> procs.put(name, new ProcessDef(name, p.module(),
        p.component() != null ? p.component() : name, p.heap(), p.command(), p.exec(),
        p.jvmOptions(), p.stopGraceSeconds(), p.server())));
    Map<String, RoleDef> rs = new LinkedHashMap<>();
    file.roles().forEach((name, r) -> rs.put(name, new RoleDef(name, r.aliases(),
        r.maxPerCluster(), r.description(), r.processes(), r.services())));
    return new Roles(procs, rs);
  }

  private static String norm(String s) {
    return s.trim().toLowerCase(Locale.ROOT).replace('-', '_');
  }

  public Collection<RoleDef> all() {
    return roles.values();
  }

  /** The canonical role for any spelling, if there is one. */
  public Optional<RoleDef> role(String spelling) {
    String canonical = roleLookup.get(norm(spelling));
    return canonical == null ? Optional.empty() : Optional.of(roles.get(canonical));
  }

  /**
   * Canonical names of {@code spellings} (comma-separated lists allowed), in order and without
   * duplicates; an unknown one is an {@link IllegalArgumentException} listing the known roles.
   */
  public List<String> resolveRoles(Collection<String> spellings) {
    Set<String> out = new LinkedHashSet<>();
    for (String s : spellings) {
      for (String part : s.split(",")) {
        if (part.isBlank()) {
          continue;
        }
        out.add(role(part).map(RoleDef::name).orElseThrow(() -> new IllegalArgumentException(
            "unknown role '" + part.trim() + "'; known roles: " + String.join(", ",
                roles.keySet()))));
      }
    }
    return List.copyOf(out);
  }

  /** The processes the given (canonical) roles run, in the roles file's process order. */
  public List<ProcessDef> processesFor(Collection<String> roleNames) {
    Set<String> wanted = new LinkedHashSet<>();
    roleNames.forEach(r -> role(r).ifPresent(def -> wanted.addAll(def.processes())));
    List<ProcessDef> out = new ArrayList<>();
    processes.values().forEach(p -> {
      if (wanted.contains(p.name())) {
        out.add(p);
      }
    });
    return out;
  }

  public Collection<ProcessDef> processes() {
    return processes.values();
  }

  /** The service types the given (canonical) roles serve, without duplicates, in order. */
  public List<String> servicesFor(Collection<String> roleNames) {
    Set<String> out = new LinkedHashSet<>();
    roleNames.forEach(r -> role(r).ifPresent(def -> out.addAll(def.services())));
    return List.copyOf(out);
  }

  /** A process by any spelling of its name or its component's ({@code controller}, {@code hm}). */
  public Optional<ProcessDef> process(String spelling) {
    String n = norm(spelling);
    n = COMPONENT_ALIASES.getOrDefault(n, n);
    for (ProcessDef p : processes.values()) {
      if (p.name().equals(n) || norm(p.component()).equals(n)
          || (p.module() != null && norm(p.module()).equals(n))) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  /** Canonical process names, or an {@link IllegalArgumentException} naming the known ones. */
  public List<String> resolveProcesses(Collection<String> spellings) {
    Set<String> out = new LinkedHashSet<>();
    for (String s : spellings) {
      out.add(process(s).map(ProcessDef::name).orElseThrow(() -> new IllegalArgumentException(
          "unknown component '" + s + "'; known: " + String.join(", ", processes.keySet()))));
    }
    return List.copyOf(out);
  }

  /**
   * The config document name for {@code kato config}: a component's ({@code cloud_controller})
   * or {@value #CLUSTER_COMPONENT}.
   */
  public String resolveComponent(String spelling) {
    if (norm(spelling).equals(CLUSTER_COMPONENT)) {
      return CLUSTER_COMPONENT;
    }
    return process(spelling).filter(p -> !p.isNats() && !p.isExec()).map(ProcessDef::component)
        .orElseThrow(() -> new IllegalArgumentException("unknown component '" + spelling
            + "'; known: " + String.join(", ", componentNames())));
  }

  public List<String> componentNames() {
    List<String> names = new ArrayList<>();
    processes.values().stream().filter(p -> !p.isNats() && !p.isExec()).forEach(p -> names.add(p.component()));
    names.add(CLUSTER_COMPONENT);
    return names;
  }
}
