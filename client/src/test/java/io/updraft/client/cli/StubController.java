package io.updraft.client.cli;

import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Map;

/**
 * A stand-in for the controller's API on a local port, and the {@code updraft} CLI run against
 * it with a token and a private config directory, for the client's command tests.
 */
final class StubController implements AutoCloseable {

  /** One CLI run: exit status and what it printed. */
  record Run(int status, String out, String err) {
  }

  private final HttpServer server;
  private final Path config;

  StubController(Path config, HttpHandler handler) {
    this.config = config;
    try {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.createContext("/", handler);
    server.start();
  }

  Run updraft(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int status = UpdraftCli.run(Map.of("UPDRAFT_TARGET", "http://127.0.0.1:"
        + server.getAddress().getPort(), "UPDRAFT_TOKEN", "tok", "XDG_CONFIG_HOME",
        config.toString(), "NO_COLOR", "1"), new PrintWriter(out), new PrintWriter(err), args);
    return new Run(status, out.toString(), err.toString());
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
