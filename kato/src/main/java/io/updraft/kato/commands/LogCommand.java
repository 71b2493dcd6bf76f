package io.updraft.kato.commands;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import io.updraft.kato.roles.Roles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code kato log tail [COMPONENT]}: this node's process logs, followed. */
@Command(name = "log", mixinStandardHelpOptions = true, description = "This node's logs.",
    subcommands = LogCommand.Tail.class)
public final class LogCommand {

  @Command(name = "tail", mixinStandardHelpOptions = true,
      description = "Print the last lines of this node's process logs ($UPDRAFT_HOME/logs) and "
          + "follow them; each line prefixed with its process.")
  public static final class Tail implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    AgentOptions options;

    @Parameters(paramLabel = "COMPONENT", arity = "0..*",
        description = "processes to show (default: all, and the agent's own log)")
    List<String> components = List.of();

    @Option(names = {"-n", "--lines"}, paramLabel = "N", defaultValue = "10",
        description = "lines of history per log (default: ${DEFAULT-VALUE})")
    int lines;

    @Option(names = "--no-follow", description = "print the history and exit")
    boolean noFollow;

    @Override
    public Integer call() throws Exception {
      PrintWriter out = spec.commandLine().getOut();
      Path logs = options.home().resolve("logs");
      Map<String, Path> files = new LinkedHashMap<>();
      if (components.isEmpty()) {
        if (Files.isDirectory(logs)) {
          try (Stream<Path> s = Files.list(logs)) {
            s.filter(p -> p.toString().endsWith(".log")).sorted().forEach(p -> files.put(
                p.getFileName().toString().replaceAll("\\.log$", ""), p));
          }
        }
      } else {
        Roles roles = Roles.builtIn();
        for (String c : components) {
          String name = "agent".equals(c) ? "agent" : roles.resolveProcesses(List.of(c)).get(0);
          files.put(name, logs.resolve(name + ".log"));
        }
      }
      if (files.isEmpty()) {
        spec.commandLine().getErr().println("kato log tail: no logs in " + logs);
        return 1;
      }
      Map<String, Long> offsets = new LinkedHashMap<>();
      for (Map.Entry<String, Path> e : files.entrySet()) {
        if (!Files.isRegularFile(e.getValue())) {
          out.println("[" + e.getKey() + "] (no log yet: " + e.getValue() + ")");
          offsets.put(e.getKey(), 0L);
          continue;
        }
        for (String line : lastLines(e.getValue(), lines)) {
          out.println("[" + e.getKey() + "] " + line);
        }
        offsets.put(e.getKey(), Files.size(e.getValue()));
      }
      out.flush();
      while (!noFollow) {
        for (Map.Entry<String, Path> e : files.entrySet()) {
          offsets.put(e.getKey(), follow(e.getKey(), e.getValue(), offsets.get(e.getKey()), out));
        }
        out.flush();
        Thread.sleep(250); // tail -f polling interval
      }
      return 0;
    }

    private static List<String> lastLines(Path file, int n) throws IOException {
      List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
      return new ArrayList<>(all.subList(Math.max(0, all.size() - n), all.size()));
    }

    private static long follow(String name, Path file, long offset, PrintWriter out)
        throws IOException {
      if (!Files.isRegularFile(file)) {
        return 0;
      }
      long size = Files.size(file);
      if (size < offset) {
        offset = 0; // truncated or replaced
      }
      if (size == offset) {
        return offset;
      }
      try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
        raf.seek(offset);
        byte[] bytes = new byte[(int) Math.min(size - offset, 1 << 20)];
        raf.readFully(bytes);
        String text = new String(bytes, StandardCharsets.UTF_8);
        int end = text.lastIndexOf('\n');
        if (end < 0) {
          return offset;
        }
        for (String line : text.substring(0, end).split("\n", -1)) {
          out.println("[" + name + "] " + line);
        }
        return offset + text.substring(0, end + 1).getBytes(StandardCharsets.UTF_8).length;
      }
    }
  }
}
