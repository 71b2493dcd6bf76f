package io.updraft.stager.buildpack;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StartupScriptTest {

  @TempDir
  Path droplet;

  @Test
  void simpleCommandsAreExecedCompoundOnesRunAsWritten() {
    assertThat(StartupScript.execLine("python3 app.py")).isEqualTo("exec python3 app.py");
    assertThat(StartupScript.execLine("java -jar 'my app.jar' --x=\"$PORT\""))
        .isEqualTo("exec java -jar 'my app.jar' --x=\"$PORT\"");
    assertThat(StartupScript.execLine("cd web && exec node server.js"))
        .isEqualTo("cd web && exec node server.js");
    assertThat(StartupScript.execLine("exec ./bin/server")).isEqualTo("exec ./bin/server");
    assertThat(StartupScript.execLine("FOO=1 ./run")).isEqualTo("FOO=1 ./run");
    assertThat(StartupScript.execLine("a | b")).isEqualTo("a | b");
  }

  @Test
  void theScriptParsesThePortExportsTheEnvironmentAndExecsInApp() throws Exception {
    Files.createDirectories(droplet.resolve("app"));
    Files.writeString(droplet.resolve("app/run.sh"),
        "echo port=$PORT vcap=$VCAP_APP_PORT cwd=$(pwd) pid=$$ x=$X tmp=$TMPDIR\n"
            + "echo oops >&2\n");
    StartCommand start = new StartCommand("sh run.sh", Map.of("X", "$APP_DIR/x"),
        "standalone");
    Path startup = droplet.resolve("startup");
    Files.writeString(startup, StartupScript.startup("procfile", start));
    Files.setPosixFilePermissions(startup, PosixFilePermissions.fromString("rwxr-xr-x"));

    Process p = new ProcessBuilder("./startup", "-p", "4321").directory(droplet.toFile())
        .redirectErrorStream(true).start();
    assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isZero();

    Path real = droplet.toRealPath();
    String pid = Files.readString(droplet.resolve("run.pid")).strip();
    assertThat(droplet.resolve("logs/stdout.log")).hasContent("port=4321 vcap=4321 cwd="
        + real.resolve("app") + " pid=" + pid + " x=" + real.resolve("app/x") + " tmp="
        + real.resolve("tmp"));
    assertThat(droplet.resolve("logs/stderr.log")).hasContent("oops");
    assertThat(Long.parseLong(pid)).isEqualTo(p.pid()); // exec: the app is the script's pid
  }

  @Test
  void stopScriptNeedsAPid() {
    assertThat(StartupScript.stop()).startsWith("#!/bin/sh\n").contains("kill -TERM \"$1\"");
  }
}
