package io.updraft.kato.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileMapStoreTest {

  @TempDir
  Path dir;

  @Test
  void storesOneOwnerOnlyFilePerKeyAndLoadsThemBack() throws Exception {
    FileMapStore store = new FileMapStore(dir);
    store.store("health_manager", "{\"enable_autoscaling\":true}");
    store.store("a/b c", "{}");
    Path file = dir.resolve("health_manager.json");
    assertThat(Files.getPosixFilePermissions(file))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    FileMapStore reopened = new FileMapStore(dir);
    assertThat(reopened.loadAllKeys()).containsExactlyInAnyOrder("health_manager", "a/b c");
    assertThat(reopened.load("health_manager")).isEqualTo("{\"enable_autoscaling\":true}");
    reopened.deleteAll(List.of("a/b c"));
    assertThat(reopened.load("a/b c")).isNull();
    try (var files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly(
          "health_manager.json");
    }
  }
}
