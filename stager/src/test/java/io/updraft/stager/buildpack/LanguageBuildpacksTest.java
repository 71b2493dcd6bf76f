package io.updraft.stager.buildpack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.updraft.stager.task.StagingLog;
import io.updraft.stager.testing.Examples;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** detect, compile and start command of each language buildpack on temp directories. */
class LanguageBuildpacksTest {

  @TempDir
  Path tmp;

  private final StagingLog log = StagingLog.detached();

  private BuildContext ctx(Integer memoryMb, Map<String, Object> meta) {
    return Contexts.create(tmp.resolve("droplet"), Contexts.props(null, memoryMb, meta),
        Contexts.config(tmp), log);
  }

  private BuildContext ctx() {
    return ctx(null, Map.of());
  }

  private Path app(BuildContext ctx, String file, String content) throws Exception {
    Path p = ctx.appDir().resolve(file);
    Files.createDirectories(p.getParent());
    return Files.writeString(p, content);
  }

  @Test
  void pythonStdlibAppNeedsNoInstall() throws Exception {
    BuildContext ctx = ctx();
    app(ctx, "app.py", "print('hi')");
    PythonBuildpack python = new PythonBuildpack();
    assertThat(python.detect(ctx.appDir(), ctx.properties())).contains("app.py");
    python.compile(ctx);
    assertThat(log.text()).contains("No requirements to install");
    StartCommand start = python.startCommand(ctx);
    assertThat(start.command()).isEqualTo("python3 app.py");
    assertThat(start.env()).containsEntry("PYTHONUNBUFFERED", "1").doesNotContainKey("PYTHONPATH");
  }

  @Test
  void pythonRequirementsWithAnUnreachableIndexFailClearly() throws Exception {
    BuildContext ctx = ctx();
    app(ctx, "app.py", "print('hi')");
    app(ctx, "requirements.txt", "# web\nflask==3.0.0\n");
    assertThatThrownBy(() -> new PythonBuildpack().compile(ctx))
        .hasMessage("Cannot install requirements.txt: the Python package index "
            + Contexts.DEAD_URL + " is not reachable from this stager");
  }

  @Test
  void pythonCommentOnlyRequirementsAreNothingToInstall() throws Exception {
    BuildContext ctx = ctx();
    app(ctx, "requirements.txt", "# nothing yet\n\n");
    app(ctx, "app.py", "");
    new PythonBuildpack().compile(ctx);
    assertThat(log.text()).contains("No requirements to install");
  }

  @Test
  void pythonWsgiAndDjangoStartCommands() throws Exception {
    BuildContext ctx = ctx();
    app(ctx, "wsgi.py", "def application(e, s): pass");
    assertThat(new PythonBuildpack().startCommand(ctx).command())
        .startsWith("python3 -c ").contains("wsgiref");
    app(ctx, "requirements.txt", "gunicorn==22.0\n");
    assertThat(new PythonBuildpack().startCommand(ctx).command())
        .isEqualTo("python3 -m gunicorn --bind 0.0.0.0:$PORT wsgi:application");
    Files.delete(ctx.appDir().resolve("wsgi.py"));
    app(ctx, "manage.py", "");
    assertThat(new PythonBuildpack().startCommand(ctx).command())
        .isEqualTo("python3 manage.py runserver 0.0.0.0:$PORT --noreload");
  }

  @Test
  void pythonRequirementsAloneHaveNothingToStart() throws Exception {
    BuildContext ctx = ctx();
    app(ctx, "requirements.txt", "");
    assertThatThrownBy(() -> new PythonBuildpack().startCommand(ctx))
        .hasMessageContaining("add app.py, wsgi.py or manage.py");
  }

  @Test
  void nodeWithoutDependenciesSkipsNpmAndUsesTheStartScript() throws Exception {
    assumeTrue(Examples.onPath("node"), "node is not installed here");
    BuildContext ctx = ctx();
    app(ctx, "package.json", "{\"scripts\":{\"start\":\"node server.js\"}}");
    NodeBuildpack node = new NodeBuildpack();
    node.compile(ctx);
    assertThat(log.text()).contains("skipping npm install");
    StartCommand start = node.startCommand(ctx);
    assertThat(start.command()).isEqualTo("node server.js");
    assertThat(start.env()).containsEntry("PATH", "$APP_DIR/node_modules/.bin:$PATH");
  }

  @Test
  void nodeWithDependenciesAndAnUnreachableRegistryFailsClearly() throws Exception {
    assumeTrue(Examples.onPath("node") && Examples.onPath("npm"), "node/npm not installed");
    BuildContext ctx = ctx();
    app(ctx, "package.json", "{\"dependencies\":{\"express\":\"^4.0.0\"}}");
    assertThatThrownBy(() -> new NodeBuildpack().compile(ctx))
        .hasMessage("Cannot install the app's Node.js dependencies: the npm registry "
            + Contexts.DEAD_URL + " is not reachable from this stager");
  }

  @Test
  void nodeStartsMainOrAConventionalFile() throws Exception {
    BuildContext ctx = ctx();
    app(ctx, "package.json", "{\"main\":\"lib/index.js\"}");
    app(ctx, "lib/index.js", "");
    assertThat(new NodeBuildpack().startCommand(ctx).command()).isEqualTo("node lib/index.js");
    app(ctx, "package.json", "{}");
    app(ctx, "app.js", "");
    assertThat(new NodeBuildpack().startCommand(ctx).command()).isEqualTo("node app.js");
    Files.delete(ctx.appDir().resolve("app.js"));
    assertThatThrownBy(() -> new NodeBuildpack().startCommand(ctx))
        .hasMessageContaining("no start script and no main file");
  }

  @Test
  void nodePackageJsonMustBeJson() throws Exception {
    BuildContext ctx = ctx();
    app(ctx, "package.json", "{not json");
    assertThatThrownBy(() -> new NodeBuildpack().startCommand(ctx))
        .hasMessageStartingWith("package.json is not valid JSON");
  }

  @Test
  void javaJarDetectsOneExecutableJarAndSizesTheHeap() throws Exception {
    BuildContext ctx = ctx(512, Map.of());
    Examples.buildHelloJar(tmp, ctx.appDir().resolve("hello.jar"));
    Files.writeString(ctx.appDir().resolve("lib.jar"), "not a jar at all");
    JavaJarBuildpack jar = new JavaJarBuildpack();
    assertThat(jar.detect(ctx.appDir(), ctx.properties())).contains("hello.jar");
    assertThat(jar.startCommand(ctx).command())
        .isEqualTo("java -Xmx384m -Dserver.port=$PORT $JAVA_OPTS -jar hello.jar");
  }

  @Test
  void javaJarLooksInTargetAndIgnoresSourceJars() throws Exception {
    BuildContext ctx = ctx();
    Files.createDirectories(ctx.appDir().resolve("target"));
    Examples.buildHelloJar(tmp, ctx.appDir().resolve("target/app-1.0.jar"));
    Files.copy(ctx.appDir().resolve("target/app-1.0.jar"),
        ctx.appDir().resolve("target/app-1.0-sources.jar"));
    assertThat(new JavaJarBuildpack().detect(ctx.appDir(), ctx.properties()))
        .contains("target/app-1.0.jar");
    assertThat(new JavaJarBuildpack().startCommand(ctx).command())
        .isEqualTo("java -Xmx192m -Dserver.port=$PORT $JAVA_OPTS -jar target/app-1.0.jar");
  }

  @Test
  void javaJarDoesNotGuessBetweenTwoExecutableJars() throws Exception {
    BuildContext ctx = ctx();
    Examples.buildHelloJar(tmp, ctx.appDir().resolve("a.jar"));
    Files.copy(ctx.appDir().resolve("a.jar"), ctx.appDir().resolve("b.jar"));
    assertThat(new JavaJarBuildpack().detect(ctx.appDir(), ctx.properties())).isEmpty();
  }

  @Test
  void mavenDetectsPomXml() throws Exception {
    BuildContext ctx = ctx();
    app(ctx, "pom.xml", "<project/>");
    assertThat(new JavaMavenBuildpack().detect(ctx.appDir(), ctx.properties()))
        .contains("pom.xml");
  }

  @Test
  void mavenWithADependencyTheLocalRepositoryLacksFailsClearly() throws Exception {
    assumeTrue(Examples.onPath("mvn"), "maven is not installed");
    BuildContext ctx = ctx();
    String pom = Files.readString(Examples.dir("java-jar").resolve("pom.xml")).replace(
        "  <build>", "  <dependencies><dependency><groupId>io.updraft.nonexistent</groupId>"
            + "<artifactId>nope</artifactId><version>1.0</version></dependency></dependencies>"
            + "\n  <build>");
    app(ctx, "pom.xml", pom);
    app(ctx, "src/main/java/A.java", "public class A { public static void main(String[] a) {} }");
    assertThatThrownBy(() -> new JavaMavenBuildpack().compile(ctx))
        .hasMessageStartingWith("Maven build failed (exit 1; the build is offline")
        .hasMessageContaining("io.updraft.nonexistent:nope");
  }

  @Test
  void staticServesTheTopOrDistOrPublic() throws Exception {
    BuildContext ctx = ctx();
    StaticBuildpack stat = new StaticBuildpack();
    Files.createDirectories(ctx.appDir().resolve("public"));
    assertThat(stat.detect(ctx.appDir(), ctx.properties())).contains("public");
    assertThat(stat.startCommand(ctx).command()).isEqualTo(
        "python3 -m http.server \"$PORT\" --bind 0.0.0.0 --directory public");
    Files.createDirectories(ctx.appDir().resolve("dist"));
    assertThat(stat.detect(ctx.appDir(), ctx.properties())).contains("dist");
    app(ctx, "index.html", "<h1>hi</h1>");
    assertThat(stat.detect(ctx.appDir(), ctx.properties())).contains("index.html");
    assertThat(stat.startCommand(ctx).command()).endsWith("--directory .");
  }

  @Test
  void procfileRunsTheLanguageBuildStepAndKeepsItsEnvironment() throws Exception {
    BuildContext ctx = ctx();
    app(ctx, "Procfile", "web: python3 server.py\n");
    app(ctx, "requirements.txt", "");
    Buildpack procfile = Buildpacks.standard().all().get(0);
    assertThat(procfile.detect(ctx.appDir(), ctx.properties())).contains("Procfile");
    procfile.compile(ctx);
    assertThat(log.text()).contains("Running the python build step (requirements.txt)");
    StartCommand start = procfile.startCommand(ctx);
    assertThat(start.command()).isEqualTo("python3 server.py");
    assertThat(start.env()).containsEntry("PYTHONUNBUFFERED", "1");
  }

  @Test
  void aManifestCommandOverridesTheBuildpackDefault() throws Exception {
    BuildContext ctx = ctx(null, Map.of("command", "python3 other.py"));
    app(ctx, "app.py", "");
    StartCommand start = Buildpacks.startCommand(new PythonBuildpack(), ctx);
    assertThat(start.command()).isEqualTo("python3 other.py");
    assertThat(start.runtime()).isEqualTo("python3");
  }
}
