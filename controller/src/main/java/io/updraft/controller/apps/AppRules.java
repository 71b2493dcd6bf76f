package io.updraft.controller.apps;

import io.updraft.controller.api.ApiError;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/** What a valid app name, route and environment look like. Pure; every check names the input. */
public final class AppRules {

  private static final Pattern NAME = Pattern.compile("^[A-Za-z0-9_-]{1,64}$");
  private static final Pattern HOST = Pattern.compile(
      "^(\\*\\.)?[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$");
  private static final Pattern ENV_NAME = Pattern.compile("^[A-Za-z_][A-Za-z0-9_]*$");

  private AppRules() {
  }

  public static String name(String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw ApiError.invalidApp("the name must be 1-64 letters, digits, '-' or '_'");
    }
    return name;
  }

  /**
   * Normalises routes as v1 did (scheme stripped, lower-cased) and checks each: a host name in
   * the cloud's domain (others only for admins), not the API host, at most {@code max}.
   */
  public static List<String> uris(List<String> given, String domain, String apiHost,
      boolean admin, int max) {
    LinkedHashSet<String> out = new LinkedHashSet<>();
    for (String raw : given) {
      String uri = raw.trim().toLowerCase(Locale.ROOT).replaceFirst("^https?://", "");
      if (uri.endsWith("/")) {
        uri = uri.substring(0, uri.length() - 1);
      }
      if (uri.length() > 253 || !HOST.matcher(uri).matches()) {
        throw ApiError.invalidUri(raw);
      }
      if (uri.equals(apiHost)) {
        throw ApiError.uriTaken(uri);
      }
      if (!admin && !uri.endsWith("." + domain)) {
        throw ApiError.externalUri();
      }
      out.add(uri);
    }
    if (out.size() > max) {
      throw ApiError.tooManyUris(out.size(), max);
    }
    return new ArrayList<>(out);
  }

  /**
   * De-duplicated {@code NAME=value} entries, the last one of a name winning; names starting
   * with {@code vcap_} or {@code vmc_} are the platform's (403/200, as v1).
   */
  public static List<String> env(List<String> given) {
    java.util.LinkedHashMap<String, String> byName = new java.util.LinkedHashMap<>();
    for (String entry : given) {
      int eq = entry.indexOf('=');
      String name = eq < 0 ? entry : entry.substring(0, eq);
      if (!ENV_NAME.matcher(name).matches()) {
        throw ApiError.badRequest("Bad request: invalid environment variable name '" + name
            + "'");
      }
      String lower = name.toLowerCase(Locale.ROOT);
      if (lower.startsWith("vcap_") || lower.startsWith("vmc_")) {
        throw ApiError.notPermitted();
      }
      byName.put(name, entry.contains("=") ? entry : entry + "=");
    }
    return List.copyOf(byName.values());
  }

  public static int instances(int n) {
    if (n < 0 || n > 1000) {
      throw ApiError.invalidApp("instances must be between 0 and 1000");
    }
    return n;
  }

  public static int memory(int mb) {
    if (mb < 16 || mb > 65536) {
      throw ApiError.invalidApp("memory must be between 16 and 65536 MB");
    }
    return mb;
  }
}
