package io.updraft.kato.dataservers;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.InetAddress;
import java.util.Iterator;
import java.util.Map;

/**
 * The operator's settings of one data server: its document in the cluster config
 * ({@code kato config set postgresql port 5533}), the same on every node that runs it.
 *
 * <pre>
 * port: 5532           # defaults: postgresql 5532, mysql 3406, redis 6479 (beside the
 *                      #   machine's own servers on 5432, 3306, 6379)
 * bind: 0.0.0.0        # the address it listens on; containers must reach it
 * bin_dir: /opt/pg/bin # where its programs are; default: the OS packages' places
 * </pre>
 */
public record DataServerSettings(int port, String bind, String binDir) {

  /** Listens on every IPv4 address: containers reach the node on its own. */
  public static final String ANY = "0.0.0.0";

  /** The settings in {@code doc} (null: defaults); a bad or unknown key throws, naming it. */
  public static DataServerSettings from(DataServer server, JsonNode doc) {
    int port = server.defaultPort();
    String bind = ANY;
    String binDir = null;
    if (doc != null && !doc.isNull()) {
      if (!doc.isObject()) {
        throw new IllegalArgumentException("config error: " + server.serviceName()
            + ": must be a map");
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = doc.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        String key = server.serviceName() + "." + e.getKey();
        JsonNode v = e.getValue();
        switch (e.getKey()) {
          case "port" -> {
            int p = v.isIntegralNumber() ? v.asInt()
                : v.isTextual() && v.asText().matches("\\d{1,5}") ? Integer.parseInt(v.asText())
                : -1;
            if (p < 1 || p > 65535) {
              throw new IllegalArgumentException("config error: " + key
                  + ": a port from 1 to 65535");
            }
            port = p;
          }
          case "bind" -> {
            if (!v.isTextual() || !isAddress(v.asText())) {
              throw new IllegalArgumentException("config error: " + key
                  + ": an IPv4 address of this node, or 0.0.0.0");
            }
            bind = v.asText();
          }
          case "bin_dir" -> {
            if (!v.isTextual() || !v.asText().startsWith("/")) {
              throw new IllegalArgumentException("config error: " + key
                  + ": an absolute directory");
            }
            binDir = v.asText();
          }
          // the component-wide live key every config document may carry
          case "log_level" -> {
          }
          default -> throw new IllegalArgumentException("config error: " + key
              + ": unknown key (known: port, bind, bin_dir)");
        }
      }
    }
    return new DataServerSettings(port, bind, binDir);
  }

  /** Where the services node on the same node reaches the server as admin. */
  public String adminHost() {
    return ANY.equals(bind) ? "127.0.0.1" : bind;
  }

  private static boolean isAddress(String s) {
    if (!s.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
      return false;
    }
    try {
      InetAddress.getByName(s);
      return true;
    } catch (java.net.UnknownHostException e) {
      return false;
    }
  }
}
