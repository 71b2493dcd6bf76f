package io.updraft.common.container;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a container gets of the host's resolver configuration. */
class BundleFilesTest {

  @TempDir
  Path tmp;

  @Test
  void loopbackResolversAreLeftOutAndTheRestKept() throws Exception {
    Path conf = tmp.resolve("resolv.conf");
    Files.writeString(conf, "# generated\nnameserver 127.0.0.53\nnameserver ::1\n"
        + "nameserver 10.0.0.2\nsearch example.net\noptions edns0\ndomain x\n");
    assertThat(BundleFiles.resolvConf(conf))
        .isEqualTo("nameserver 10.0.0.2\nsearch example.net\noptions edns0\n");
    assertThat(BundleFiles.resolvConf(tmp.resolve("missing"))).isEmpty();
  }
}
