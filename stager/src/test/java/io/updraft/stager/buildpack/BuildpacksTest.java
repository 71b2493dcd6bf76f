package io.updraft.stager.buildpack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.updraft.common.protocol.staging.StagingProperties;
import io.updraft.stager.task.StagingException;
import io.updraft.stager.task.StagingLog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BuildpacksTest {

  @TempDir
  Path app;

  private final Buildpacks buildpacks = Buildpacks.standard();
  private final StagingLog log = StagingLog.detached();

  static StagingProperties framework(String framework) {
    return new StagingProperties(null, framework, null, null, null, null, null, Map.of());
  }

  private void files(String... names) throws IOException {
    for (String name : names) {
      Path p = app.resolve(name);
      if (name.endsWith("/")) {
        Files.createDirectories(p);
      } else {
        Files.createDirectories(p.getParent());
        Files.writeString(p, name.equals("package.json") ? "{}" : "web: run\n");
      }
    }
  }

  private String chosen(StagingProperties props) throws StagingException {
    return buildpacks.choose(app, props, log).buildpack().name();
  }

  @Test
  void standardOrderIsTheDocumentedOne() {
    assertThat(buildpacks.all()).extracting(Buildpack::name).isEqualTo(Buildpacks.ORDER);
    assertThat(Buildpacks.ORDER).containsExactly("procfile", "java-jar", "java-maven", "node",
        "python", "static");
  }

  @Test
  void procfileComesBeforeEverything() throws Exception {
    files("Procfile", "app.py", "package.json", "index.html");
    assertThat(chosen(framework(null))).isEqualTo("procfile");
  }

  @Test
  void mavenBeforeNodeBeforePythonBeforeStatic() throws Exception {
    files("pom.xml", "package.json", "app.py", "index.html");
    assertThat(chosen(framework(null))).isEqualTo("java-maven");
    Files.delete(app.resolve("pom.xml"));
    assertThat(chosen(framework(null))).isEqualTo("node");
    Files.delete(app.resolve("package.json"));
    assertThat(chosen(framework(null))).isEqualTo("python");
    Files.delete(app.resolve("app.py"));
    assertThat(chosen(framework(null))).isEqualTo("static");
  }

  @Test
  void staticDetectsPublicAndDistDirectories() throws Exception {
    files("public/");
    assertThat(chosen(framework(null))).isEqualTo("static");
  }

  @Test
  void theLogShowsTheOrderAndTheChoice() throws Exception {
    files("requirements.txt");
    buildpacks.choose(app, framework(null), log);
    assertThat(log.text()).contains(
        "Detecting buildpack, in order: procfile, java-jar, java-maven, node, python, static\n"
            + "  procfile: no\n  java-jar: no\n  java-maven: no\n  node: no\n"
            + "  python: yes (requirements.txt)\n"
            + "Using buildpack python (requirements.txt)\n");
  }

  @Test
  void nothingDetectedIsAClearError() {
    assertThatThrownBy(() -> buildpacks.choose(app, framework(null), log))
        .isInstanceOf(StagingException.class)
        .hasMessageStartingWith("No buildpack detected: expected one of ")
        .hasMessageContaining("package.json (node)")
        .hasMessageContaining("index.html, dist/ or public/ (static)");
  }

  @Test
  void theFrameworkSelectsTheBuildpackDirectly() throws Exception {
    files("package.json", "app.py");
    assertThat(chosen(framework("python"))).isEqualTo("python");
    assertThat(log.text()).contains("Framework python selects buildpack python")
        .doesNotContain("Detecting buildpack");
  }

  @Test
  void aFrameworkWhoseFilesAreMissingFailsClearly() throws Exception {
    files("app.py");
    assertThatThrownBy(() -> buildpacks.choose(app, framework("node"), log))
        .hasMessage("Framework node needs package.json, and the app has none");
    assertThatThrownBy(() -> buildpacks.choose(app, framework("standalone"), log))
        .hasMessageContaining("Procfile web: line or a manifest command");
  }

  @Test
  void anUnknownFrameworkFallsBackToDetection() throws Exception {
    files("app.py");
    assertThat(chosen(framework("sinatra"))).isEqualTo("python");
    assertThat(log.text()).contains("Framework sinatra has no buildpack of its own: detecting");
  }

  @Test
  void frameworkNamesAreCaseInsensitiveAndBuildpackNamesWork() throws Exception {
    files("index.html");
    assertThat(chosen(framework("STATIC"))).isEqualTo("static");
    assertThat(chosen(framework("static"))).isEqualTo("static");
    assertThat(List.of(chosen(framework("html5")))).containsExactly("static");
  }
}
