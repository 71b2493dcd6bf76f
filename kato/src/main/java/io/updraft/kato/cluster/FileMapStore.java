package io.updraft.kato.cluster;

import com.hazelcast.map.MapStore;
import io.updraft.common.files.PrivateFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Persists one Hazelcast map of JSON strings as one file per key under a directory on the core
 * node ({@code $UPDRAFT_HOME/cluster/<map>/<key>.json}, mode 0600: the cluster document holds
 * the NATS credentials). Write-through and atomic (temp file, then rename), so a crash never
 * leaves half a document; loaded eagerly when the core's member starts, which is how the
 * cluster config survives a restart of the whole cluster.
 */
public final class FileMapStore implements MapStore<String, String> {

  private final Path dir;

  public FileMapStore(Path dir) {
    this.dir = dir;
    try {
      PrivateFiles.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Path file(String key) {
    return dir.resolve(URLEncoder.encode(key, StandardCharsets.UTF_8) + ".json");
  }

  @Override
  public void store(String key, String value) {
    try {
      Path target = file(key);
      Path tmp = dir.resolve("." + target.getFileName() + ".tmp");
      Files.deleteIfExists(tmp);
      PrivateFiles.createFile(tmp);
      Files.writeString(tmp, value, StandardCharsets.UTF_8);
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING,
          StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void storeAll(Map<String, String> map) {
    map.forEach(this::store);
  }

  @Override
  public void delete(String key) {
    try {
      Files.deleteIfExists(file(key));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void deleteAll(Collection<String> keys) {
    keys.forEach(this::delete);
  }

  @Override
  public String load(String key) {
    Path f = file(key);
    try {
      return Files.isRegularFile(f) ? Files.readString(f, StandardCharsets.UTF_8) : null;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public Map<String, String> loadAll(Collection<String> keys) {
    Map<String, String> out = new HashMap<>();
    for (String k : keys) {
      String v = load(k);
      if (v != null) {
        out.put(k, v);
      }
    }
    return out;
  }

  @Override
  public Iterable<String> loadAllKeys() {
    List<String> keys = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.json")) {
      for (Path f : files) {
        String name = f.getFileName().toString();
        keys.add(URLDecoder.decode(name.substring(0, name.length() - 5), StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return keys;
  }
}
