package io.updraft.servicesnode.store;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.updraft.common.files.PrivateFiles;
import io.updraft.common.protocol.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The instances and bindings of one service type on this node, in one JSON file
 * ({@code <data_dir>/<type>/instances.json}, mode 0600 in a 0700 directory: it holds
 * credentials). Every change is
 * written to a temporary file and renamed over the old one before it is acknowledged, so a
 * node that dies at any point restarts with either the old or the new state, never a torn file.
 *
 * <p>Thread-safe (synchronized): changes come from the type's worker thread, capacity reads
 * from the event loop.
 */
public final class NodeStore {

  /** The file's shape. */
  record Document(@JsonProperty("instances") Map<String, InstanceRecord> instances) {
  }

  private final Path file;
  private final Map<String, InstanceRecord> instances = new LinkedHashMap<>();

  private NodeStore(Path file) {
    this.file = file;
  }

  /** Loads the file when it exists (blocking). */
  public static NodeStore open(Path dir) {
    try {
      PrivateFiles.createDirectories(dir);
      NodeStore store = new NodeStore(dir.resolve("instances.json"));
      if (Files.isRegularFile(store.file)) {
        Document doc = Json.mapper().readValue(store.file.toFile(), Document.class);
        if (doc.instances() != null) {
          store.instances.putAll(doc.instances());
        }
      }
      return store;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the node store in " + dir, e);
    }
  }

  public synchronized int size() {
    return instances.size();
  }

  public synchronized List<InstanceRecord> all() {
    return List.copyOf(instances.values());
  }

  public synchronized Optional<InstanceRecord> get(String id) {
    return Optional.ofNullable(id == null ? null : instances.get(id));
  }

  /** Adds or replaces the instance and writes the file. */
  public synchronized void put(InstanceRecord instance) {
    InstanceRecord before = instances.put(instance.id(), instance);
    try {
      save();
    } catch (RuntimeException e) {
      if (before == null) {
        instances.remove(instance.id());
      } else {
        instances.put(instance.id(), before);
      }
      throw e;
    }
  }

  public synchronized void remove(String id) {
    InstanceRecord before = instances.remove(id);
    if (before == null) {
      return;
    }
    try {
      save();
    } catch (RuntimeException e) {
      instances.put(id, before);
      throw e;
    }
  }

  private void save() {
    try {
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      Files.deleteIfExists(tmp);
      PrivateFiles.createFile(tmp);
      Files.write(tmp, Json.mapper().writerWithDefaultPrettyPrinter()
          .writeValueAsBytes(new Document(new LinkedHashMap<>(instances))));
      try (var channel = java.nio.channels.FileChannel.open(tmp,
          java.nio.file.StandardOpenOption.WRITE)) {
        channel.force(true);
      }
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE,
            StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the node store " + file, e);
    }
  }
}
