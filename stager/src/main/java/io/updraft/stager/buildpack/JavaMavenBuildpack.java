package io.updraft.stager.buildpack;

import io.updraft.common.protocol.staging.StagingProperties;
import io.updraft.stager.process.BuildProcess;
import io.updraft.stager.task.StagingException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A Maven project ({@code pom.xml}): built with {@code mvn -o package} (tests skipped), then run
 * like {@link JavaJarBuildpack}. The build is offline: dependencies and plugins must already be
 * in the stager's local repository ({@code maven_local_repo}); stagers do not download the
 * internet, and a missing artifact fails staging with Maven's own message.
 */
public final class JavaMavenBuildpack implements Buildpack {

  @Override
  public String name() {
    return "java-maven";
  }

  @Override
  public String runtime() {
    return "java";
  }

  @Override
  public String expects() {
    return "pom.xml";
  }

  @Override
  public Optional<String> detect(Path appDir, StagingProperties properties) {
    return Files.isRegularFile(appDir.resolve("pom.xml"), LinkOption.NOFOLLOW_LINKS)
        ? Optional.of("pom.xml") : Optional.empty();
  }

  @Override
  public void compile(BuildContext ctx) throws StagingException {
    Path mvn = ctx.require("mvn", name());
    List<String> command = new ArrayList<>(List.of(mvn.toString(), "-o", "-B", "-q",
        "-DskipTests"));
    ctx.mavenLocalRepo().ifPresent(repo -> command.add("-Dmaven.repo.local=" + repo));
    command.add("package");
    // Maven's heap stays inside the build's memory limit, which watches the whole tree
    long heapMb = Math.max(64, ctx.config().maxMemoryMb() * 3L / 4);
    BuildProcess.Result result = ctx.run(command, Map.of("MAVEN_OPTS", "-Xmx" + heapMb + "m"));
    if (!result.succeeded()) {
      throw new StagingException("Maven build failed (exit " + result.exitCode() + "; the build "
          + "is offline, so the stager's local repository must already hold every dependency "
          + "and plugin):\n" + result.tailText());
    }
    if (JavaJarBuildpack.findJar(ctx.appDir()).isEmpty()) {
      throw new StagingException("Maven build produced no executable jar in target/ (give the "
          + "jar a Main-Class in its manifest, or add a Procfile web: line)");
    }
  }

  @Override
  public StartCommand startCommand(BuildContext ctx) throws StagingException {
    Path jar = JavaJarBuildpack.findJar(ctx.appDir()).orElseThrow(() ->
        new StagingException("Maven build produced no executable jar in target/"));
    return JavaJarBuildpack.command(ctx, ctx.appDir().relativize(jar).toString());
  }
}
