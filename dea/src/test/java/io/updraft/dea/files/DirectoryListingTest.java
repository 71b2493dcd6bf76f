package io.updraft.dea.files;

import static org.assertj.core.api.Assertions.assertThat;

import io.updraft.common.files.ConfinedFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectoryListingTest {

  @TempDir
  Path dir;

  @Test
  void humanSizes() {
    assertThat(DirectoryListing.humanSize(512)).isEqualTo("512B");
    assertThat(DirectoryListing.humanSize(1536)).isEqualTo("1.5K");
    assertThat(DirectoryListing.humanSize(3_355_443)).isEqualTo("3.2M");
    assertThat(DirectoryListing.humanSize(1L << 30)).isEqualTo("1.0G");
  }

  @Test
  void v1Format() throws Exception {
    Files.createDirectories(dir.resolve("logs"));
    Files.writeString(dir.resolve("stdout.log"), "x".repeat(1536));
    try (ConfinedFiles.Opened opened = ConfinedFiles.open(dir, List.of())) {
      assertThat(DirectoryListing.render(opened.entries(), false)).isEqualTo(
          String.format("%-35s%10s\n%-35s%10s\n", "logs/", "-", "stdout.log", "1.5K"));
    }
  }
}
