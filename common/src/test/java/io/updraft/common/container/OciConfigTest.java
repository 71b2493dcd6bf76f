package io.updraft.common.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bundle a container runs from: what it may touch is exactly what the spec names. */
class OciConfigTest {

  @TempDir
  Path dir;

  private static ContainerSpec spec(List<ContainerSpec.Mount> mounts) {
    return new ContainerSpec("host1", Path.of("/stacks/bookworm"),
        List.of("/usr/bin/tini", "--", "/home/vcap/startup"), Map.of("HOME", "/home/vcap"),
        "/home/vcap", 20001, List.of(31000), mounts, Path.of("/run/netns/updraft-s3"),
        "/updraft-dea/abc/c", new ContainerSpec.Limits(128L << 20, 128, 512, 1024, 64));
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  @Test
  void theProcessHasNoPrivilegeAndItsOwnNamespaces() {
    ObjectNode c = OciConfig.config(spec(List.of()));
    JsonNode process = c.path("process");
    assertThat(process.path("user").path("uid").asInt()).isEqualTo(20001);
    assertThat(texts(process.path("user").path("additionalGids"))).containsExactly("31000");
    assertThat(process.path("noNewPrivileges").asBoolean()).isTrue();
    for (String set : List.of("bounding", "effective", "inheritable", "permitted", "ambient")) {
      assertThat(process.path("capabilities").path(set)).as(set).isEmpty();
    }
    assertThat(process.path("env").get(0).asText()).isEqualTo("HOME=/home/vcap");
    assertThat(process.path("rlimits").get(0).path("hard").asInt()).isEqualTo(1024);
    List<String> namespaces = new ArrayList<>();
    c.path("linux").path("namespaces").forEach(n -> namespaces.add(n.path("type").asText()));
    assertThat(namespaces).containsExactlyInAnyOrder("pid", "ipc", "uts", "mount", "network",
        "cgroup");
    c.path("linux").path("namespaces").forEach(n -> {
      if (n.path("type").asText().equals("network")) {
        assertThat(n.path("path").asText()).isEqualTo("/run/netns/updraft-s3");
      }
    });
    JsonNode resources = c.path("linux").path("resources");
    assertThat(resources.path("memory").path("limit").asLong()).isEqualTo(128L << 20);
    assertThat(resources.path("pids").path("limit").asLong()).isEqualTo(512);
    assertThat(resources.path("cpu").path("shares").asLong()).isEqualTo(128);
    assertThat(c.path("linux").path("cgroupsPath").asText()).isEqualTo("/updraft-dea/abc/c");
    assertThat(texts(c.path("linux").path("maskedPaths"))).contains("/proc/kcore",
        "/sys/fs/cgroup");
    JsonNode seccomp = c.path("linux").path("seccomp");
    assertThat(seccomp.path("defaultAction").asText()).isEqualTo("SCMP_ACT_ALLOW");
    assertThat(texts(seccomp.path("syscalls").get(0).path("names"))).contains("unshare",
        "setns", "mount", "keyctl", "bpf");
    // a new user namespace through clone is refused too, and clone3 is "not implemented"
    assertThat(seccomp.path("syscalls").get(1).path("args").get(0).path("value").asLong())
        .isEqualTo(0x10000000L);
    assertThat(seccomp.path("syscalls").get(2).path("errnoRet").asInt()).isEqualTo(38);
  }

  @Test
  void theRootIsReadOnlyAndOnlyTheNamedMountsAreWritable() {
    ObjectNode c = OciConfig.config(spec(List.of(
        new ContainerSpec.Mount(Path.of("/var/lib/dea/apps/x"), "/home/vcap", true),
        new ContainerSpec.Mount(Path.of("/var/lib/dea/containers/x/hosts"), "/etc/hosts",
            false))));
    assertThat(c.path("root").path("readonly").asBoolean()).isTrue();
    Map<String, JsonNode> byDest = new java.util.HashMap<>();
    c.path("mounts").forEach(m -> byDest.put(m.path("destination").asText(), m));
    for (String d : List.of("/usr", "/etc", "/var", "/opt")) {
      assertThat(byDest.get(d).path("source").asText()).isEqualTo("/stacks/bookworm" + d);
      assertThat(texts(byDest.get(d).path("options"))).contains("ro").doesNotContain("rw");
    }
    assertThat(texts(byDest.get("/home/vcap").path("options"))).contains("rw");
    assertThat(texts(byDest.get("/etc/hosts").path("options"))).contains("ro");
    assertThat(texts(byDest.get("/tmp").path("options"))).contains("size=64m");
    assertThat(texts(byDest.get("/sys").path("options"))).contains("ro");
    // nothing else of the host is mounted
    List<String> binds = new ArrayList<>();
    c.path("mounts").forEach(m -> {
      if (m.path("type").asText().equals("bind")) {
        binds.add(m.path("destination").asText());
      }
    });
    assertThat(binds).containsExactlyInAnyOrder("/usr", "/etc", "/var", "/opt", "/home/vcap",
        "/etc/hosts");
  }

  @Test
  void theBundleIsPrivateAndItsRootASkeletonWithAWritableTmpMountPoint() throws Exception {
    Path bundle = dir.resolve("b");
    OciConfig.writeBundle(bundle, spec(List.of()));
    assertThat(Files.getPosixFilePermissions(bundle))
        .isEqualTo(PosixFilePermissions.fromString("rwx------"));
    assertThat(bundle.resolve("config.json")).exists();
    assertThat(Files.readSymbolicLink(bundle.resolve("rootfs/bin"))).isEqualTo(Path.of("usr/bin"));
    assertThat(bundle.resolve("rootfs/home/vcap")).isDirectory();
    // runc gives /tmp's tmpfs the mount point's mode
    assertThat(Files.getPosixFilePermissions(bundle.resolve("rootfs/tmp")))
        .isEqualTo(PosixFilePermissions.fromString("rwxrwxrwx"));
  }

  @Test
  void aContainerNeverRunsAsRoot() {
    assertThatThrownBy(() -> new ContainerSpec("h", Path.of("/s"), List.of("x"), Map.of(), "/",
        0, List.of(), List.of(), null, "/c", new ContainerSpec.Limits(0, 2, 1, 1, 1)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
