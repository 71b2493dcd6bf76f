package io.updraft.dea.files;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

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

  public static String render(Path dir, boolean instanceTop) throws IOException {
    StringBuilder out = new StringBuilder();
    try (Stream<Path> entries = Files.list(dir)) {
      List<Path> sorted = entries.sorted().toList();
      for (Path p : sorted) {
        String name = p.getFileName().toString();
        if (instanceTop && !TOP_LEVEL.contains(name)) {
          continue;
        }
        boolean isDir = Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS);
        String size = isDir ? "-" : humanSize(Files.isSymbolicLink(p) ? 0
            : Files.size(p));
        out.append(line(isDir ? name + "/" : name, size));
      }
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
