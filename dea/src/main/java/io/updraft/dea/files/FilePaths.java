package io.updraft.dea.files;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Turns a request path {@code /droplets/<instance dir>/<path...>} into the instance directory
 * name and a path relative to it, refusing what may never be served (PROTOCOL.md 3.14):
 * {@code ..} and {@code .} segments, NUL, backslashes, and the top-level {@code startup} and
 * {@code stop} scripts. Segments are percent-decoded one by one (clients encode {@code /}
 * too). Pure; symlinks are checked later against the real path.
 */
public final class FilePaths {

  public static final String PREFIX = "/droplets/";
  private static final Set<String> HIDDEN_SCRIPTS = Set.of("startup", "stop");

  /** Where a request points. {@code relative} is {@code "/"} or {@code "/a/b"}. */
  public record Target(String instanceDir, String relative, List<String> segments) {
  }

  /** A request that must be answered with {@code status}. */
  public static final class Refused extends Exception {
    private final int status;

    public Refused(int status, String message) {
      super(message);
      this.status = status;
    }

    public int status() {
      return status;
    }
  }

  private FilePaths() {
  }

  public static Target parse(String rawPath) throws Refused {
    if (rawPath == null || !rawPath.startsWith(PREFIX)) {
      throw new Refused(404, "Entity not found.");
    }
    List<String> segments = new ArrayList<>();
    for (String raw : rawPath.substring(PREFIX.length()).split("/")) {
      if (raw.isEmpty()) {
        continue;
      }
      String decoded;
      try {
        decoded = URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        throw new Refused(400, "Bad path.");
      }
      for (String s : decoded.split("/")) {
        if (s.isEmpty()) {
          continue;
        }
        if (s.equals("..") || s.equals(".") || s.indexOf('\0') >= 0 || s.indexOf('\\') >= 0) {
          throw new Refused(403, "Not accessible");
        }
        segments.add(s);
      }
    }
    if (segments.isEmpty()) {
      throw new Refused(403, "Not accessible");
    }
    String instanceDir = segments.get(0);
    List<String> rest = List.copyOf(segments.subList(1, segments.size()));
    if (!rest.isEmpty() && HIDDEN_SCRIPTS.contains(rest.get(0))) {
      throw new Refused(403, "Not accessible");
    }
    return new Target(instanceDir, "/" + String.join("/", rest), rest);
  }
}
