package io.updraft.servicesnode.backend;

import io.updraft.common.files.FileTrees;
import io.updraft.common.files.PrivateFiles;
import io.updraft.common.protocol.services.ServiceType;
import io.updraft.servicesnode.ServicesNodeConfig.ServiceConfig;
import io.updraft.servicesnode.store.InstanceRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Filesystem: an instance is a directory {@code <dir>/<id>} on the node's host; credentials
 * carry its path ({@code dir}). Needs no server, so it is the embedded default. An app on a DEA
 * of another host reaches it only when that path is shared (NFS or similar) at the same place.
 * A binding has no secret of its own, so unbinding only forgets it; unprovisioning deletes the
 * directory with everything in it.
 */
public final class FilesystemBackend implements Backend {

  private final ServiceConfig config;
  private final Path root;

  public FilesystemBackend(ServiceConfig config) {
    this.config = config;
    this.root = Path.of(config.dir()).toAbsolutePath();
  }

  @Override
  public ServiceType type() {
    return ServiceType.FILESYSTEM;
  }

  @Override
  public String detectVersion() {
    return "1.0";
  }

  /**
   * The base directory is the node's: others may pass through it to the instance they were
   * given, never list the instances (0711). The instances' own modes are left as they are.
   */
  @Override
  public void check() throws IOException {
    Files.createDirectories(root);
    if (!Files.isWritable(root)) {
      throw new IOException("not writable: " + root);
    }
    PrivateFiles.setMode(root, PrivateFiles.PASSABLE_DIR);
  }

  @Override
  public Map<String, Object> provision(String id) throws IOException {
    Path dir = root.resolve(Secrets.identifier(id));
    Files.createDirectories(dir);
    return credentials(id, dir);
  }

  @Override
  public Map<String, Object> bind(InstanceRecord instance) throws IOException {
    Path dir = root.resolve(Secrets.identifier(instance.id()));
    if (!Files.isDirectory(dir)) {
      throw new IOException("instance directory is missing: " + dir);
    }
    Map<String, Object> c = credentials(instance.id(), dir);
    c.put("binding_id", Secrets.id('b'));
    return c;
  }

  @Override
  public void unbind(InstanceRecord instance, Map<String, Object> binding) {
    // nothing to revoke: the path is the credential
  }

  @Override
  public void unprovision(InstanceRecord instance) throws IOException {
    // never follows a link an app left in its directory
    FileTrees.deleteRecursively(root.resolve(Secrets.identifier(instance.id())));
  }

  private Map<String, Object> credentials(String id, Path dir) {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("name", id);
    c.put("host", config.publicHost());
    c.put("hostname", config.publicHost());
    c.put("dir", dir.toString());
    return c;
  }
}
