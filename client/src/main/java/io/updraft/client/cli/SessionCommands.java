package io.updraft.client.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.updraft.client.api.CloudClient;
import io.updraft.client.api.CloudException;
import io.updraft.common.protocol.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Target, login, logout, register, info, user. */
final class SessionCommands {

  private SessionCommands() {
  }

  /** Reads a password without echo on a terminal, else one line of standard input. */
  static String password(String prompt) throws IOException {
    java.io.Console console = System.console();
    if (console != null) {
      char[] pw = console.readPassword("%s", prompt);
      return pw == null ? "" : new String(pw);
    }
    String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))
        .readLine();
    if (line == null) {
      throw new CloudException(0, -1, "no password given (use --password for scripts)");
    }
    return line;
  }

  @Command(name = "target", description = "Show or set the cloud to talk to.",
      footer = {"", "Example:", "  updraft target http://api.localhost:8080"})
  static final class Target extends Base {
    @Parameters(arity = "0..1", paramLabel = "URL")
    String url;

    @Override
    void run() {
      if (url == null) {
        if (session.config.target() == null) {
          throw new CloudException(0, -1, "no target set: run 'updraft target URL'");
        }
        out().line("target: " + session.config.target()
            + (session.config.user() != null ? "  (logged in as " + session.config.user() + ")"
            : ""));
        return;
      }
      CloudClient cloud = new CloudClient(url, null);
      JsonNode info = cloud.info();
      if (!info.has("name") || !info.has("version")) {
        throw new CloudException(0, -1, url + " does not look like an Updraft API");
      }
      session.save(session.config.withTarget(cloud.target()));
      out().line("target set to " + cloud.target());
    }
  }

  @Command(name = "login", description = "Log in to the target.",
      footer = {"", "Example:", "  updraft login ann@example.com --password s3cret"})
  static final class Login extends Base {
    @Parameters(arity = "0..1", paramLabel = "EMAIL")
    String email;

    @Option(names = "--password", description = "for scripts; otherwise you are asked")
    String password;

    @Override
    void run() throws IOException {
      CloudClient cloud = session.cloud();
      if (email == null) {
        out().line("email: ");
        email = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))
            .readLine();
      }
      String pw = password != null ? password : password("password: ");
      String token = cloud.login(email, pw);
      session.save(session.config.withLogin(email, token));
      out().line("logged in as " + email);
    }
  }

  @Command(name = "logout", description = "Forget the login token.",
      footer = {"", "Example:", "  updraft logout"})
  static final class Logout extends Base {
    @Override
    void run() {
      session.save(session.config.withLogin(null, null));
      out().line("logged out");
    }
  }

  @Command(name = "register", description = "Create a user on the target.",
      footer = {"", "Example:", "  updraft register ann@example.com --password s3cret"})
  static final class Register extends Base {
    @Parameters(paramLabel = "EMAIL")
    String email;

    @Option(names = "--password")
    String password;

    @Override
    void run() throws IOException {
      session.cloud().register(email, password != null ? password : password("password: "));
      out().line("registered " + email + "; now run: updraft login " + email);
    }
  }

  @Command(name = "info", description = "Show the target and your usage.",
      footer = {"", "Example:", "  updraft info --json"})
  static final class Info extends Base {
    @Override
    void run() {
      JsonNode info = session.cloud().withToken(session.config.token()).info();
      if (json) {
        out().json(info);
        return;
      }
      out().line("target:  " + session.config.target());
      out().line("version: " + info.path("version").asText() + " ("
          + info.path("description").asText() + ")");
      out().line("user:    " + info.path("user").asText("(not logged in)"));
      if (info.has("usage")) {
        out().line("usage:   " + info.path("usage").path("apps").asInt() + " of "
            + info.path("limits").path("apps").asInt() + " apps, "
            + info.path("usage").path("memory").asInt() + "M of "
            + info.path("limits").path("memory").asInt() + "M memory");
      }
    }
  }

  @Command(name = "user", description = "Show who you are logged in as.",
      footer = {"", "Example:", "  updraft user"})
  static final class User extends Base {
    @Override
    void run() {
      String user = session.config.user();
      if (user == null) {
        throw new CloudException(0, -1, "not logged in");
      }
      if (json) {
        out().json(Json.mapper().createObjectNode().put("user", user));
      } else {
        out().line(user);
      }
    }
  }
}
