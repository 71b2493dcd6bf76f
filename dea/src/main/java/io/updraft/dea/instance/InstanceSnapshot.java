package io.updraft.dea.instance;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.type.TypeReference;
import io.updraft.common.protocol.Json;
import io.updraft.common.protocol.dea.DeaStartRequest;
import io.updraft.common.protocol.dea.Limits;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Collection;
import java.util.List;

/**
 * The instance table on disk ({@code <base>/db/instances.json}) so a restarted DEA re-adopts
 * instances whose processes still run (PROTOCOL.md 3.11 "Persistence"). Written to a temp
 * file and renamed, mode 0600 (start requests carry service credentials). Blocking: call
 * from a worker.
 */
public final class InstanceSnapshot {

  /** One instance as stored; the start request is kept whole to rebuild everything else. */
  public record Entry(
      @JsonProperty("id") String id,
      @JsonProperty("private_id") String privateId,
      @JsonProperty("request") DeaStartRequest request,
      @JsonProperty("limits") Limits limits,
      @JsonProperty("dir") String dir,
      @JsonProperty("created_at") long createdAtMillis,
      @JsonProperty("uris") List<String> uris,
      @JsonProperty("port") Integer port,
      @JsonProperty("pid") Long pid,
      @JsonProperty("pid_started_at") Long pidStartedAtMillis,
      @JsonProperty("state") InstanceState state,
      @JsonProperty("state_since") long stateSinceMillis,
      @JsonProperty("crash_reason") String crashReason,
      @JsonProperty("exit_notified") boolean exitNotified,
      @JsonProperty("uid") Integer uid,
      @JsonProperty("net_slot") Integer netSlot,
      @JsonProperty("address") String address) {

    public static Entry of(Instance i) {
      return new Entry(i.id(), i.privateId(), i.request(), i.limits(), i.dir().toString(),
          i.createdAt().toEpochMilli(), i.uris(), i.port(), i.pid(),
          i.pidStartedAt() == null ? null : i.pidStartedAt().toEpochMilli(), i.state(),
          i.stateSince().toEpochMilli(), i.crashReason(), i.exitNotified(), i.uid(),
          i.netSlot(), i.address());
    }

    public Instance toInstance() {
      Instance i = new Instance(id, privateId, request, limits, Path.of(dir),
          Instant.ofEpochMilli(createdAtMillis));
      i.uris(uris == null ? List.of() : uris);
      i.port(port);
      if (pid != null) {
        i.process(pid, pidStartedAtMillis == null ? null : Instant.ofEpochMilli(pidStartedAtMillis));
      }
      i.state(state, Instant.ofEpochMilli(stateSinceMillis));
      i.crashReason(crashReason);
      i.exitNotified(exitNotified);
      i.uid(uid);
      i.netSlot(netSlot);
      i.address(address);
      return i;
    }
  }

  private final Path file;

  public InstanceSnapshot(Path file) {
    this.file = file;
  }

  public Path file() {
    return file;
  }

  public static List<Entry> entries(Collection<Instance> instances) {
    return instances.stream().map(Entry::of).toList();
  }

  public void save(List<Entry> entries) throws IOException {
    Files.createDirectories(file.getParent());
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.write(tmp, Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsBytes(entries));
    try {
      Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException e) {
      // not a POSIX file system: nothing more we can do about the mode
    }
    try {
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /** The stored entries; none when there is no snapshot yet. */
  public List<Entry> load() throws IOException {
    if (!Files.isRegularFile(file)) {
      return List.of();
    }
    return Json.mapper().readValue(file.toFile(), new TypeReference<List<Entry>>() { });
  }
}
