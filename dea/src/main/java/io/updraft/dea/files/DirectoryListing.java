package io.updraft.dea.files;

import io.updraft.common.files.ConfinedFiles;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The CF v1 plain-text directory listing (PROTOCOL.md 3.14): one line per entry, the name
 * left-aligned in 35 columns, then the size right-aligned in 10 ({@code -} for
 * directories, which end in {@code /}). An instance's top level shows only {@code app/},
 * {@code logs/} and {@code tomcat/}. Blocking.
 */
public final class DirectoryListing {

  private static final Set<String> TOP_LEVEL = Set.of("app", "logs", "tomcat");

  private DirectoryListing() {
  }

  /** The listing of {@code entries} (links are listed, size 0, never followed). */
  public static String render(List<ConfinedFiles.Entry> entries, boolean instanceTop) {
    StringBuilder out = new StringBuilder();
    List<ConfinedFiles.Entry> sorted = entries.stream()
        .sorted(Comparator.comparing(ConfinedFiles.Entry::name)).toList();
    for (ConfinedFiles.Entry e : sorted) {
      String name = e.name();
      if (instanceTop && !TOP_LEVEL.contains(name)) {
        continue;
      }
      boolean isDir = e.attributes().isDirectory();
      String size = isDir ? "-" : humanSize(e.attributes().isRegularFile()
          ? e.attributes().size() : 0);
      out.append(line(isDir ? name + "/" : name, size));
    }
    return out.toString();
  }

  static String line(String name, String size) {
    return String.format(Locale.ROOT, "%-35s%10s%n", name, size).replace(System.lineSeparator(),
        "\n");
  }

  /** {@code 512B}, {@code 1.5K}, {@code 3.2M}, {@code 1.0G}. */
  public static String humanSize(long bytes) {
    if (bytes < 1024) {
      return bytes + "B";
    }
    String[] units = {"K", "M", "G", "T"};
    double value = bytes;
    int unit = -1;
    while (value >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit++;
    }
    return String.format(Locale.ROOT, "%.1f%s", value, units[unit]);
  }
}
