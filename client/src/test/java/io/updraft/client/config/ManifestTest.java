package io.updraft.client.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.updraft.client.api.CloudException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManifestTest {

  @TempDir
  Path dir;

  @Test
  void readsTheFlatAndTheApplicationsForms() throws IOException {
    Files.writeString(dir.resolve("manifest.yml"), """
        name: blog
        memory: 512M
        instances: 2
        command: python3 app.py
        env: {GREETING: hi, COUNT: 3}
        urls: [blog.example.com, www.example.com]
        framework: python
        """);
    Manifest m = Manifest.read(dir);
    assertThat(m.name()).isEqualTo("blog");
    assertThat(m.memoryMb()).isEqualTo(512);
    assertThat(m.instances()).isEqualTo(2);
    assertThat(m.command()).isEqualTo("python3 app.py");
    assertThat(m.env()).containsEntry("GREETING", "hi").containsEntry("COUNT", "3");
    assertThat(m.urls()).containsExactly("blog.example.com", "www.example.com");
    assertThat(m.framework()).isEqualTo("python");

    Files.delete(dir.resolve("manifest.yml"));
    Files.writeString(dir.resolve("stackato.yml"), """
        applications:
          - name: api
            memory: 1G
            processes: {web: node server.js}
        """);
    Manifest s = Manifest.read(dir);
    assertThat(s.name()).isEqualTo("api");
    assertThat(s.memoryMb()).isEqualTo(1024);
    assertThat(s.command()).isEqualTo("node server.js");
  }

  @Test
  void noManifestIsFine() {
    assertThat(Manifest.read(dir)).isEqualTo(Manifest.NONE);
  }

  @Test
  void malformedManifestNamesTheLine() throws IOException {
    Files.writeString(dir.resolve("manifest.yml"), "name: blog\nmemory: [unclosed\nx: 1\n");
    assertThatThrownBy(() -> Manifest.read(dir)).isInstanceOf(CloudException.class)
        .hasMessageStartingWith("manifest.yml line ").hasMessageContaining("not valid YAML");
    Files.writeString(dir.resolve("manifest.yml"), "name: blog\nmemory: lots\n");
    assertThatThrownBy(() -> Manifest.read(dir))
        .hasMessage("manifest.yml: memory must look like 256M or 1G, got 'lots'");
    Files.writeString(dir.resolve("manifest.yml"), "name: blog\ninstances: many\n");
    assertThatThrownBy(() -> Manifest.read(dir))
        .hasMessage("manifest.yml: instances must be a number, got 'many'");
  }
}
