package io.updraft.controller.drains;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real rsyslogd receiving on a TCP port ({@code imtcp}, octet-counted framing), plain or TLS
 * (GnuTLS driver, anonymous client auth), writing each message twice: as received
 * ({@link #raw()}) and as rsyslog parsed it ({@link #parsed()}: {@code
 * HOSTNAME|APP-NAME|PROCID|MSGID|MSG}). It runs in the foreground with its own config, pid file
 * and work directory under {@code dir}; {@link #kill()} and {@link #start()} again reuse the port.
 */
final class Rsyslog implements AutoCloseable {

  static final Path BINARY = Path.of("/usr/sbin/rsyslogd");
  private static final Path MODULES = Path.of("/usr/lib/x86_64-linux-gnu/rsyslog");

  private final Path dir;
  private final int port;
  private final Path cert;
  private Process process;

  /**
   * @param cert with TLS: a directory holding {@code ca.pem}, {@code cert.pem}, {@code key.pem};
   *     null for plain TCP
   */
  Rsyslog(Path dir, int port, Path cert) {
    this.dir = dir;
    this.port = port;
    this.cert = cert;
  }

  /** Whether rsyslogd is installed ({@code scripts/setup-deps} installs it). */
  static boolean available() {
    return Files.isExecutable(BINARY);
  }

  /** Whether its GnuTLS driver ({@code rsyslog-gnutls}) is installed. */
  static boolean tlsAvailable() {
    return available() && (Files.exists(MODULES.resolve("lmnsd_gtls.so"))
        || Files.exists(Path.of("/usr/lib/rsyslog/lmnsd_gtls.so")));
  }

  Path raw() {
    return dir.resolve("raw.log");
  }

  Path parsed() {
    return dir.resolve("parsed.log");
  }

  String rawText() throws IOException {
    return Files.exists(raw()) ? Files.readString(raw()) : "";
  }

  String parsedText() throws IOException {
    return Files.exists(parsed()) ? Files.readString(parsed()) : "";
  }

  /** Starts rsyslogd and waits until it listens. */
  Rsyslog start() throws IOException {
    Files.createDirectories(dir);
    String global = "global(workDirectory=\"" + dir + "\"";
    String module = "module(load=\"imtcp\"";
    if (cert != null) {
      global += " DefaultNetstreamDriverCAFile=\"" + cert.resolve("ca.pem") + "\""
          + " DefaultNetstreamDriverCertFile=\"" + cert.resolve("cert.pem") + "\""
          + " DefaultNetstreamDriverKeyFile=\"" + cert.resolve("key.pem") + "\"";
      module += " StreamDriver.Name=\"gtls\" StreamDriver.Mode=\"1\""
          + " StreamDriver.AuthMode=\"anon\"";
    }
    String conf = global + ")\n" + module + ")\n"
        + "input(type=\"imtcp\" port=\"" + port + "\" address=\"127.0.0.1\")\n"
        + "template(name=\"raw\" type=\"string\" string=\"%rawmsg%\\n\")\n"
        + "template(name=\"parsed\" type=\"string\" "
        + "string=\"%hostname%|%app-name%|%procid%|%msgid%|%msg%\\n\")\n"
        + "action(type=\"omfile\" file=\"" + raw() + "\" template=\"raw\")\n"
        + "action(type=\"omfile\" file=\"" + parsed() + "\" template=\"parsed\")\n";
    Path file = dir.resolve("rsyslog.conf");
    Files.writeString(file, conf);
    Path pid = dir.resolve("rsyslogd.pid");
    Files.deleteIfExists(pid);
    process = new ProcessBuilder(List.of(BINARY.toString(), "-n", "-f", file.toString(), "-i",
        pid.toString())).redirectErrorStream(true)
        .redirectOutput(dir.resolve("rsyslogd.out").toFile()).start();
    await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
        .until(() -> {
          if (!process.isAlive()) {
            throw new IllegalStateException("rsyslogd exited: "
                + Files.readString(dir.resolve("rsyslogd.out")));
          }
          return listening();
        });
    return this;
  }

  private boolean listening() {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** Kills it (SIGKILL: an endpoint that goes away without a goodbye). */
  void kill() throws InterruptedException {
    if (process != null) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
      process = null;
    }
  }

  @Override
  public void close() throws InterruptedException {
    kill();
  }

  /** A private CA and a server certificate for localhost and 127.0.0.1, made with openssl. */
  static Path certificates(Path dir) throws IOException, InterruptedException {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("ext.cnf"), "subjectAltName=DNS:localhost,IP:127.0.0.1\n");
    run(dir, "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key",
        "-out", "ca.pem", "-days", "2", "-subj", "/CN=updraft-test-ca");
    run(dir, "openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "key.pem", "-out",
        "server.csr", "-subj", "/CN=localhost");
    run(dir, "openssl", "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey",
        "ca.key", "-CAcreateserial", "-out", "cert.pem", "-days", "2", "-extfile", "ext.cnf");
    return dir;
  }

  private static void run(Path dir, String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(dir.resolve("openssl.out").toFile()).start();
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IllegalStateException("openssl failed: " + Files.readString(
          dir.resolve("openssl.out")));
    }
  }
}
