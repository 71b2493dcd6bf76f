package io.updraft.controller.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.updraft.common.testing.NatsServer;
import io.updraft.common.testing.NatsServerExtension;
import io.updraft.controller.RunningController;
import io.updraft.controller.db.DatabaseConfig;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Resource matching and package uploads, the way v1 clients push. */
@ExtendWith(NatsServerExtension.class)
class BitsIT {

  @TempDir
  Path data;

  private RunningController controller;
  private ApiClient ann;

  @BeforeEach
  void start(NatsServer nats) throws Exception {
    controller = RunningController.start(RunningController.config(nats.config(), data,
        DatabaseConfig.defaults()));
    ann = controller.api().login("ann@example.com", "pw1");
    assertThat(ann.post("/apps", "{\"name\":\"site\"}").status()).isEqualTo(302);
  }

  @AfterEach
  void stop() {
    controller.close();
  }

  private static byte[] zip(Map<String, String> files) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(out)) {
      for (var e : files.entrySet()) {
        zip.putNextEntry(new ZipEntry(e.getKey()));
        zip.write(e.getValue().getBytes(StandardCharsets.UTF_8));
        zip.closeEntry();
      }
    }
    return out.toByteArray();
  }

  private static Map<String, String> unzip(byte[] bytes) throws Exception {
    Map<String, String> files = new TreeMap<>();
    try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(bytes))) {
      ZipEntry entry;
      while ((entry = zip.getNextEntry()) != null) {
        if (!entry.isDirectory()) {
          files.put(entry.getName(), new String(zip.readAllBytes(), StandardCharsets.UTF_8));
        }
      }
    }
    return files;
  }

  private static String sha1(String content) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1")
        .digest(content.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void uploadedFilesJoinThePoolAndAreNotSentAgain() throws Exception {
    String big = "body { color: red }\n".repeat(100);
    String match = "[{\"sha1\":\"" + sha1(big) + "\",\"size\":" + big.length()
        + ",\"fn\":\"css/site.css\"}]";
    assertThat(ann.post("/resources", match).json()).isEmpty();

    ApiClient.Reply first = ann.upload("site", zip(Map.of("index.html", "<h1>hi</h1>",
        "css/site.css", big, ".profile", "export A=1")), "[]");
    assertThat(first.status()).isEqualTo(200);
    String version = ann.get("/apps/site").json().path("version").asText();

    // the pool now has the stylesheet: a second push sends only the rest
    assertThat(ann.post("/resources", match).json()).hasSize(1);
    ApiClient.Reply second = ann.upload("site", zip(Map.of("index.html", "<h1>hi</h1>",
        ".profile", "export A=1")), match);
    assertThat(second.status()).isEqualTo(200);
    // same files, same package: reproducible zips give the same sha1 and version
    assertThat(ann.get("/apps/site").json().path("version").asText()).isEqualTo(version);

    Map<String, String> stored = unzip(ann.getBytes("/apps/site/application").body());
    assertThat(stored).containsEntry("css/site.css", big)
        .containsEntry("index.html", "<h1>hi</h1>")
        .containsEntry(".profile", "export A=1");
  }

  @Test
  void unsafeOrBrokenUploadsAreClientErrors() throws Exception {
    ApiClient.Reply escape = ann.upload("site", zip(Map.of("../../evil.sh", "x")), "[]");
    assertThat(escape.status()).isEqualTo(400);
    assertThat(escape.code()).isEqualTo(402);
    assertThat(escape.json().path("description").asText()).contains("would land outside");

    ApiClient.Reply notZip = ann.upload("site", "not a zip".getBytes(StandardCharsets.UTF_8),
        "[]");
    assertThat(notZip.status()).isEqualTo(400);

    String unknown = "[{\"sha1\":\"" + sha1("never uploaded") + "\",\"size\":14,\"fn\":\"a\"}]";
    ApiClient.Reply missing = ann.upload("site", null, unknown);
    assertThat(missing.status()).isEqualTo(400);
    assertThat(missing.json().path("description").asText()).contains("not in the resource pool");

    ann.upload("site", zip(Map.of("a.txt", "pooled")), "[]");
    String outside = "[{\"sha1\":\"" + sha1("pooled") + "\",\"size\":6,\"fn\":\"../../x\"}]";
    assertThat(ann.upload("site", null, outside).status()).isEqualTo(400);

    assertThat(ann.upload("site", null, "not json").code()).isEqualTo(100);
    assertThat(ann.upload("site", null, "[]").status()).isEqualTo(400);
  }

  @Test
  void oversizeUploadIs413AndOtherUsersCannotUpload() throws Exception {
    // the test controller allows 2 MB packages
    byte[] huge = new byte[4 * 1024 * 1024];
    new java.util.Random(1).nextBytes(huge);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(out)) {
      zip.setLevel(0);
      zip.putNextEntry(new ZipEntry("blob.bin"));
      zip.write(huge);
      zip.closeEntry();
    }
    ApiClient.Reply tooBig = ann.upload("site", out.toByteArray(), "[]");
    assertThat(tooBig.status()).isEqualTo(413);
    assertThat(tooBig.json().path("description").asText()).isNotEmpty();

    ApiClient bob = controller.api().login("bob@example.com", "pw2");
    assertThat(bob.upload("site", zip(Map.of("a", "b")), "[]").status()).isEqualTo(404);
    assertThat(bob.getBytes("/apps/site/application").statusCode()).isEqualTo(404);
  }
}
