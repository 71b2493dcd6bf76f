package io.updraft.examples.db;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Executors;

/**
 * Updraft example: an app that uses its bound data services through the credentials in
 * {@code VCAP_SERVICES} (keyed by service name: postgresql, mysql, redis, filesystem). JDK only;
 * the PostgreSQL and MariaDB JDBC drivers come on the jar's {@code Class-Path} ({@code lib/}),
 * Redis is spoken to in RESP directly.
 *
 * <pre>
 * GET /                       which services are bound
 * GET /svc/TYPE/put?v=VALUE   stores VALUE in the service (a table, a key, a file)
 * GET /svc/TYPE/get           reads it back
 * GET /svc/TYPE/whoami        the user and database/prefix/dir the app was given (no password)
 * </pre>
 */
public final class DbServer {

  private DbServer() {
  }

  public static void main(String[] args) throws IOException {
    int port = Integer.parseInt(firstNonBlank(System.getenv("PORT"),
        System.getProperty("server.port"), "8080"));
    HttpServer server = HttpServer.create(new InetSocketAddress("0.0.0.0", port), 0);
    server.createContext("/", DbServer::handle);
    server.setExecutor(Executors.newFixedThreadPool(4));
    server.start();
    System.out.println("java-db listening on port " + port);
  }

  private static void handle(HttpExchange ex) throws IOException {
    int status = 200;
    String body;
    try {
      String[] parts = ex.getRequestURI().getPath().split("/");
      Map<String, Object> services = services();
      if (parts.length < 4 || !parts[1].equals("svc")) {
        body = "java-db: bound " + services.keySet() + "\n";
      } else {
        Map<String, Object> creds = credentials(services, parts[2]);
        String query = ex.getRequestURI().getRawQuery();
        String value = query != null && query.startsWith("v=")
            ? URLDecoder.decode(query.substring(2), StandardCharsets.UTF_8) : null;
        body = switch (parts[3]) {
          case "put" -> put(parts[2], creds, value);
          case "get" -> get(parts[2], creds);
          case "whoami" -> s(creds.get("user")) + "@" + s(firstNonNull(creds.get("name"),
              creds.get("dir")));
          default -> throw new IllegalArgumentException("unknown operation " + parts[3]);
        };
      }
    } catch (Exception e) {
      status = 500;
      body = "error: " + e.getClass().getSimpleName() + ": " + e.getMessage() + "\n";
    }
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> services() {
    String vcap = firstNonBlank(System.getenv("VCAP_SERVICES"), "{}");
    return (Map<String, Object>) new Json(vcap).value();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> credentials(Map<String, Object> services, String type) {
    Object list = services.get(type);
    if (!(list instanceof List<?> l) || l.isEmpty()) {
      throw new IllegalStateException(type + " is not bound");
    }
    return (Map<String, Object>) ((Map<String, Object>) l.get(0)).get("credentials");
  }

  private static String put(String type, Map<String, Object> c, String value) throws Exception {
    switch (type) {
      case "postgresql", "mysql" -> {
        try (Connection db = jdbc(type, c); Statement st = db.createStatement()) {
          st.execute("CREATE TABLE IF NOT EXISTS kv (k VARCHAR(64) PRIMARY KEY, v TEXT)");
          st.execute("DELETE FROM kv WHERE k = 'value'");
          try (PreparedStatement ps = db.prepareStatement("INSERT INTO kv VALUES ('value', ?)")) {
            ps.setString(1, value);
            ps.executeUpdate();
          }
        }
      }
      case "redis" -> redis(c, "SET", c.get("key_prefix") + "value", value);
      case "filesystem" -> Files.writeString(Path.of(s(c.get("dir")), "value.txt"), value);
      default -> throw new IllegalArgumentException("unknown service " + type);
    }
    return "ok\n";
  }

  private static String get(String type, Map<String, Object> c) throws Exception {
    return switch (type) {
      case "postgresql", "mysql" -> {
        try (Connection db = jdbc(type, c); Statement st = db.createStatement();
            ResultSet rs = st.executeQuery("SELECT v FROM kv WHERE k = 'value'")) {
          yield rs.next() ? rs.getString(1) : "";
        }
      }
      case "redis" -> s(redis(c, "GET", c.get("key_prefix") + "value"));
      case "filesystem" -> Files.readString(Path.of(s(c.get("dir")), "value.txt"));
      default -> throw new IllegalArgumentException("unknown service " + type);
    };
  }

  private static Connection jdbc(String type, Map<String, Object> c) throws Exception {
    String url = (type.equals("postgresql") ? "jdbc:postgresql://" : "jdbc:mariadb://")
        + c.get("host") + ":" + c.get("port") + "/" + c.get("name");
    Properties p = new Properties();
    p.setProperty("user", s(c.get("user")));
    p.setProperty("password", s(c.get("password")));
    return DriverManager.getConnection(url, p);
  }

  /** One Redis command after {@code AUTH user password}; the reply as text. */
  private static Object redis(Map<String, Object> c, String... command) throws IOException {
    try (Socket socket = new Socket(s(c.get("host")), Integer.parseInt(s(c.get("port"))))) {
      socket.setSoTimeout(5000);
      InputStream in = new BufferedInputStream(socket.getInputStream());
      OutputStream out = socket.getOutputStream();
      send(out, "AUTH", s(c.get("user")), s(c.get("password")));
      reply(in);
      send(out, command);
      return reply(in);
    }
  }

  private static void send(OutputStream out, String... args) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.writeBytes(("*" + args.length + "\r\n").getBytes(StandardCharsets.UTF_8));
    for (String a : args) {
      byte[] bytes = a.getBytes(StandardCharsets.UTF_8);
      b.writeBytes(("$" + bytes.length + "\r\n").getBytes(StandardCharsets.UTF_8));
      b.writeBytes(bytes);
      b.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
    }
    out.write(b.toByteArray());
    out.flush();
  }

  private static Object reply(InputStream in) throws IOException {
    int type = in.read();
    StringBuilder line = new StringBuilder();
    for (int ch = in.read(); ch != '\r'; ch = in.read()) {
      if (ch < 0) {
        throw new IOException("connection closed");
      }
      line.append((char) ch);
    }
    in.read();
    return switch (type) {
      case '+', ':' -> line.toString();
      case '-' -> throw new IOException("redis: " + line);
      case '$' -> {
        int len = Integer.parseInt(line.toString());
        if (len < 0) {
          yield null;
        }
        byte[] data = in.readNBytes(len + 2);
        yield new String(data, 0, len, StandardCharsets.UTF_8);
      }
      default -> throw new IOException("unexpected redis reply " + (char) type);
    };
  }

  private static String s(Object o) {
    return o == null ? "" : o.toString();
  }

  private static Object firstNonNull(Object a, Object b) {
    return a != null ? a : b;
  }

  private static String firstNonBlank(String... values) {
    for (String v : values) {
      if (v != null && !v.isBlank()) {
        return v;
      }
    }
    return null;
  }

  /** A small JSON reader (objects, arrays, strings, numbers, booleans, null): no library. */
  static final class Json {
    private final String text;
    private int pos;

    Json(String text) {
      this.text = text;
    }

    Object value() {
      skip();
      char c = text.charAt(pos);
      if (c == '{') {
        Map<String, Object> map = new LinkedHashMap<>();
        pos++;
        skip();
        if (text.charAt(pos) == '}') {
          pos++;
          return map;
        }
        while (true) {
          skip();
          String key = string();
          skip();
          pos++; // ':'
          map.put(key, value());
          skip();
          if (text.charAt(pos++) == '}') {
            return map;
          }
        }
      }
      if (c == '[') {
        List<Object> list = new ArrayList<>();
        pos++;
        skip();
        if (text.charAt(pos) == ']') {
          pos++;
          return list;
        }
        while (true) {
          list.add(value());
          skip();
          if (text.charAt(pos++) == ']') {
            return list;
          }
        }
      }
      if (c == '"') {
        return string();
      }
      int start = pos;
      while (pos < text.length() && ",}] \n\r\t".indexOf(text.charAt(pos)) < 0) {
        pos++;
      }
      String word = text.substring(start, pos);
      return switch (word) {
        case "true" -> Boolean.TRUE;
        case "false" -> Boolean.FALSE;
        case "null" -> null;
        default -> word;
      };
    }

    private String string() {
      StringBuilder b = new StringBuilder();
      pos++; // opening quote
      while (true) {
        char c = text.charAt(pos++);
        if (c == '"') {
          return b.toString();
        }
        if (c == '\\') {
          char e = text.charAt(pos++);
          switch (e) {
            case 'n' -> b.append('\n');
            case 't' -> b.append('\t');
            case 'r' -> b.append('\r');
            case 'b' -> b.append('\b');
            case 'f' -> b.append('\f');
            case 'u' -> {
              b.append((char) Integer.parseInt(text.substring(pos, pos + 4), 16));
              pos += 4;
            }
            default -> b.append(e);
          }
        } else {
          b.append(c);
        }
      }
    }

    private void skip() {
      while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
        pos++;
      }
    }
  }
}
