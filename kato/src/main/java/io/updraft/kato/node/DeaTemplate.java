package io.updraft.kato.node;

import io.updraft.common.files.PrivateFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The DEA template: a node marked so that every node booted from its image (a VM snapshot, a
 * container image, a copied {@code $UPDRAFT_HOME}) joins the cluster as a DEA by itself. The
 * mark is a file: Updraft's {@code $UPDRAFT_HOME/dea-template}, or Stackato's
 * {@code ~/.stackato-dea-template}; either works.
 *
 * <p>At boot ({@code kato agent}, before the agent starts) a marked node looks for the core's
 * address, first in the environment ({@code UPDRAFT_CORE}, how the {@code local} and
 * {@code docker} platforms pass it), then in the file the cloud platforms' user data writes
 * ({@code /etc/updraft/core_address}), then in the cloud-init user data itself (the
 * {@code kato attach -e dea CORE_IP} line it carries). Found: the node gets a fresh node id and
 * name, the core address and the {@code dea} role, exactly what {@code kato attach -e dea CORE}
 * writes, and the marks are removed, so it is an ordinary DEA from then on (a reboot does not
 * re-attach it). Not found: the node is the template itself (being prepared or snapshotted) and
 * nothing changes.
 *
 * <p>The copy also keeps the cloud's id of its machine (cloud-init's instance id: the Nova
 * server id, the EC2 instance id — the node id the scaling platform knows it by) in
 * {@code $UPDRAFT_HOME/platform-node-id}; the agent gives it to the DEA as {@code node_id}, so
 * a controller may drain and remove the node its platform launched.
 */
public final class DeaTemplate {

  /** Updraft's mark, in {@code $UPDRAFT_HOME}. */
  public static final String MARK = "dea-template";
  /** Stackato's mark, in the user's home directory. */
  public static final String STACKATO_MARK = ".stackato-dea-template";
  /** The environment variable carrying the core's address. */
  public static final String CORE_ENV = "UPDRAFT_CORE";
  /** Where the cloud platforms' user data writes the core's address. */
  public static final Path CORE_FILE = Path.of("/etc/updraft/core_address");
  /** cloud-init's copy of the instance's user data. */
  public static final Path USER_DATA = Path.of("/var/lib/cloud/instance/user-data.txt");
  /** cloud-init's record of the instance id. */
  public static final Path INSTANCE_ID = Path.of("/var/lib/cloud/data/instance-id");
  /** In {@code $UPDRAFT_HOME}: the scaling platform's id of this node. */
  public static final String PLATFORM_NODE_ID = "platform-node-id";

  private static final Pattern ATTACH_LINE = Pattern.compile(
      "kato\\W+attach\\W+-e\\W+dea\\W+([A-Za-z0-9.:\\-\\[\\]]+)");
  private static final Pattern ADDRESS = Pattern.compile("[A-Za-z0-9.:\\-\\[\\]]+");

  /** Where to look: the two homes and the two cloud files (overridable for tests). */
  public record Places(Path updraftHome, Path userHome, Path coreFile, Path userData,
      Path instanceId) {

    public static Places standard(Path updraftHome) {
      return new Places(updraftHome, Path.of(System.getProperty("user.home")), CORE_FILE,
          USER_DATA, INSTANCE_ID);
    }

    public List<Path> marks() {
      return List.of(updraftHome.resolve(MARK), userHome.resolve(STACKATO_MARK));
    }
  }

  /** What a boot does: nothing (not a template), stay a template, or attach as a DEA. */
  public enum Action { NONE, STAY_TEMPLATE, ATTACH }

  /** The outcome at boot, with the core address found and where it came from. */
  public record Plan(Action action, String core, String source) {
  }

  private DeaTemplate() {
  }

  public static boolean marked(Places places) {
    return places.marks().stream().anyMatch(Files::exists);
  }

  /** Marks this node as the DEA template (Updraft's mark). */
  public static Path mark(Places places) throws IOException {
    NodeHome.create(places.updraftHome());
    Path mark = places.updraftHome().resolve(MARK);
    PrivateFiles.writeString(mark, "# nodes booted from this one attach as DEAs (kato template)\n");
    return mark;
  }

  /** Removes both marks; returns those that existed. */
  public static List<Path> unmark(Places places) throws IOException {
    List<Path> removed = new java.util.ArrayList<>();
    for (Path p : places.marks()) {
      if (Files.deleteIfExists(p)) {
        removed.add(p);
      }
    }
    return removed;
  }

  /** What to do at boot. Reads only small files. */
  public static Plan plan(Places places, Map<String, String> env) {
    if (!marked(places)) {
      return new Plan(Action.NONE, null, null);
    }
    String fromEnv = env.get(CORE_ENV);
    if (fromEnv != null && ADDRESS.matcher(fromEnv.trim()).matches()) {
      return new Plan(Action.ATTACH, fromEnv.trim(), CORE_ENV);
    }
    Optional<String> fromFile = read(places.coreFile()).map(String::trim)
        .filter(s -> ADDRESS.matcher(s).matches());
    if (fromFile.isPresent()) {
      return new Plan(Action.ATTACH, fromFile.get(), places.coreFile().toString());
    }
    Optional<String> fromUserData = read(places.userData()).flatMap(text -> {
      Matcher m = ATTACH_LINE.matcher(text);
      return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    });
    if (fromUserData.isPresent()) {
      return new Plan(Action.ATTACH, fromUserData.get(), places.userData().toString());
    }
    return new Plan(Action.STAY_TEMPLATE, null, null);
  }

  /**
   * Turns the template's copy into a DEA of the cluster at {@code core} (IP or IP:PORT): writes
   * node.yml as {@code kato attach -e dea} does, with a fresh id and name (the image's belong to
   * the template), and removes the marks.
   *
   * @param ip this node's LAN address as the core sees it
   */
  public static NodeConfig attach(Places places, String core, String ip, String defaultJars)
      throws IOException {
    Path file = places.updraftHome().resolve("node.yml");
    NodeConfig old = Files.isRegularFile(file) ? NodeConfig.readNode(file) : new NodeConfig(null);
    String address = core.lastIndexOf(':') > core.lastIndexOf(']') ? core
        : core + ":" + NodeConfig.DEFAULT_HAZELCAST_PORT;
    NodeConfig node = new NodeConfig(null, null, null, ip, List.of("dea"), false, address, null,
        old.agentPort(), old.hazelcastPort(), old.natsPort(), old.httpPort(),
        old.jars() != null ? old.jars() : defaultJars);
    NodeHome.create(places.updraftHome());
    node.write(file);
    Path platformId = places.updraftHome().resolve(PLATFORM_NODE_ID);
    Optional<String> instance = read(places.instanceId()).map(String::trim)
        .filter(s -> ADDRESS.matcher(s).matches());
    if (instance.isPresent()) {
      PrivateFiles.writeString(platformId, instance.get() + "\n");
    } else {
      Files.deleteIfExists(platformId); // the template's own, if it had one
    }
    unmark(places);
    return node;
  }

  /** The scaling platform's id of this node, when it was booted from the template by one. */
  public static Optional<String> platformNodeId(Path updraftHome) {
    return read(updraftHome.resolve(PLATFORM_NODE_ID)).map(String::trim)
        .filter(s -> !s.isEmpty());
  }

  private static Optional<String> read(Path p) {
    try {
      return p != null && Files.isRegularFile(p) ? Optional.of(Files.readString(p))
          : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }
}
