package io.updraft.stager.isolation;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OwnershipTest {

  @TempDir
  Path tmp;

  @Test
  void linksThatLeaveTheTreeAreFoundAndNoLinkIsFollowed() throws Exception {
    Path app = Files.createDirectories(tmp.resolve("app"));
    Files.createDirectories(app.resolve("node_modules/.bin"));
    Files.createDirectories(app.resolve("node_modules/pkg/bin"));
    Files.writeString(app.resolve("node_modules/pkg/bin/cli.js"), "");
    Files.createSymbolicLink(app.resolve("node_modules/.bin/cli"), Path.of("../pkg/bin/cli.js"));
    Files.createSymbolicLink(app.resolve("Procfile"), Path.of("/etc/shadow"));
    Files.createSymbolicLink(app.resolve("node_modules/up"), Path.of("../../outside"));
    Path outside = Files.writeString(tmp.resolve("outside"), "host file");
    Process mkfifo = new ProcessBuilder("mkfifo", app.resolve("package.json").toString())
        .start();
    assertThat(mkfifo.waitFor()).isZero();
    int[] self = Ownership.self();

    assertThat(Ownership.chownAndFindEscapingLinks(app, self[0], self[1]))
        .containsExactlyInAnyOrder("Procfile -> /etc/shadow", "node_modules/up -> ../../outside");
    assertThat(app.resolve("package.json")).doesNotExist();
    assertThat(Files.getAttribute(outside, "unix:uid", LinkOption.NOFOLLOW_LINKS))
        .isEqualTo(self[0]);
  }

  @Test
  void filesWithSeveralNamesKeepTheirOwner() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("cache"));
    Path shared = Files.writeString(tmp.resolve("shared"), "package");
    Files.createLink(dir.resolve("linked"), shared);
    Files.writeString(dir.resolve("own"), "index");
    int[] self = Ownership.self();
    // as root, a build uid; otherwise only our own uid can be given
    int uid = self[0] == 0 ? 31_999 : self[0];

    Ownership.chownExceptLinkedFiles(dir, uid, uid);

    assertThat(Files.getAttribute(dir.resolve("own"), "unix:uid")).isEqualTo(uid);
    assertThat(Files.getAttribute(dir, "unix:uid")).isEqualTo(uid);
    assertThat(Files.getAttribute(shared, "unix:uid")).isEqualTo(self[0]);
  }
}
