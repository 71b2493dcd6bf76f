package io.updraft.stager.buildpack;

import io.updraft.common.protocol.staging.StagingProperties;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * An app's own start command: the manifest's {@code command} ({@code properties.meta.command},
 * v1 standalone apps) or the {@code web:} line of a {@code Procfile}. Either overrides the
 * buildpack's default command.
 */
public final class Procfile {

  public static final String FILE = "Procfile";

  private Procfile() {
  }

  /** The command and where it came from, the manifest first. */
  public record Command(String command, String source) {
  }

  public static Optional<Command> command(Path appDir, StagingProperties properties) {
    Object meta = properties.meta().get("command");
    if (meta instanceof String s && !s.isBlank()) {
      return Optional.of(new Command(s.strip(), "manifest command"));
    }
    Path file = appDir.resolve(FILE);
    if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
      return Optional.empty();
    }
    try {
      return web(Files.readAllLines(file, StandardCharsets.UTF_8))
          .map(c -> new Command(c, "Procfile"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The {@code web} process of Procfile lines ({@code name: command}; blank lines and
   * {@code #} comments ignored; the last {@code web} wins, as in foreman).
   */
  static Optional<String> web(List<String> lines) {
    String found = null;
    for (String raw : lines) {
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      int colon = line.indexOf(':');
      if (colon <= 0) {
        continue;
      }
      String name = line.substring(0, colon).strip();
      String command = line.substring(colon + 1).strip();
      if (name.equals("web") && !command.isEmpty()) {
        found = command;
      }
    }
    return Optional.ofNullable(found);
  }
}
