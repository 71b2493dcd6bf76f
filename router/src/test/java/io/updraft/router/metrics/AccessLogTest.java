package io.updraft.router.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.updraft.router.RouterConfig.AccessLogConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AccessLogTest {

  private static AccessLog.Entry entry(String path, long nanos) {
    return new AccessLog.Entry(Instant.parse("2026-11-24T21:58:00.045Z").toEpochMilli(),
        "10.0.0.9", "GET", "app.vcap.me", path, 200, 512, 0, nanos, "10.0.0.7:61023",
        "8b1f0c9e-1d2a-4c3b-9e8f-0a1b2c3d4e5f", "42");
  }

  @Test
  void formatsOneLineWithEveryField() {
    AccessLog.Line line = new AccessLog.Line(16);
    AccessLog.format(entry("/a", 1_204_567), line);
    assertThat(line.toString()).isEqualTo("2026-11-24T21:58:00.045Z host=app.vcap.me method=GET"
        + " path=\"/a\" status=200 bytes=512 bytes_in=0 duration_ms=1.204"
        + " backend=10.0.0.7:61023 request_id=8b1f0c9e-1d2a-4c3b-9e8f-0a1b2c3d4e5f"
        + " client=10.0.0.9 app=42\n");
  }

  @Test
  void escapesQuotesAndControlCharactersSoAnEntryStaysOneLine() {
    AccessLog.Line line = new AccessLog.Line(16);
    AccessLog.format(entry("/a\"b\n", 5_000), line);
    assertThat(line.toString()).contains("path=\"/a\\\"b\\x0a\"", "duration_ms=0.005")
        .hasLineCount(1);
  }

  @Test
  void writesEntriesToTheConfiguredFile(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("logs/access.log");
    try (AccessLog log = AccessLog.open(new AccessLogConfig(true, file.toString()))) {
      AccessLog.Local local = log.local();
      local.add(entry("/one", 1));
      local.add(entry("/two", 1));
      local.flush();
      await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(file)
          && Files.readAllLines(file).size() == 2);
    }
    assertThat(Files.readAllLines(file)).anySatisfy(l -> assertThat(l).contains("/two"));
    // apps' requests are the router's user's alone
    assertThat(mode(file)).isEqualTo("rw-------");
    assertThat(mode(file.getParent())).isEqualTo("rwx------");
  }

  @Test
  void aFileAnOlderVersionLeftReadableIsMadePrivateAndAppendedTo(@TempDir Path dir)
      throws Exception {
    Path file = dir.resolve("access.log");
    Files.writeString(file, "an old line\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    try (AccessLog log = AccessLog.open(new AccessLogConfig(true, file.toString()))) {
      assertThat(mode(file)).isEqualTo("rw-------");
      AccessLog.Local local = log.local();
      local.add(entry("/new", 1));
      local.flush();
      await().atMost(Duration.ofSeconds(10)).until(() -> Files.readAllLines(file).size() == 2);
    }
    assertThat(Files.readAllLines(file).get(0)).isEqualTo("an old line");
    // a directory it did not make (it may be shared) keeps its mode
    assertThat(mode(dir)).isEqualTo("rwxr-xr-x");
  }

  private static String mode(Path p) throws java.io.IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
  }
}
