package io.updraft.stager.buildpack;

import java.util.regex.Pattern;

/** Quoting for the generated {@code startup} scripts. */
final class Shell {

  private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9_./:=@%+,-]+");

  private Shell() {
  }

  /** A single shell word that stands for {@code s} literally. */
  static String quote(String s) {
    if (!s.isEmpty() && SAFE.matcher(s).matches()) {
      return s;
    }
    return "'" + s.replace("'", "'\\''") + "'";
  }
}
