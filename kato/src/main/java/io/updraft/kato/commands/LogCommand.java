package io.updraft.kato.commands;

import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.JetStreamApiException;
import io.nats.client.Nats;
import io.nats.client.PushSubscribeOptions;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.DeliverPolicy;
import io.updraft.common.bus.NatsConfig;
import io.updraft.common.config.ConfigException;
import io.updraft.common.protocol.Subjects;
import io.updraft.common.protocol.node.ComponentLogLine;
import io.updraft.kato.logs.ComponentLogStream;
import io.updraft.kato.node.NodeConfig;
import io.updraft.kato.roles.Roles;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code kato log tail [PROCESS...] [--node NODE]}: the last lines of this node's process logs,
 * then the new lines of every node's processes as they are written (the agents publish them on
 * {@code updraft.logs.<node_id>.<process>}), each prefixed with node and process. A node that has
 * not joined a cluster (or {@code --local}) follows its own files instead.
 */
@Command(name = "log", mixinStandardHelpOptions = true, description = "The cluster's logs.",
    subcommands = LogCommand.Tail.class)
public final class LogCommand {

  @Command(name = "tail", mixinStandardHelpOptions = true,
      description = "Print the last lines of this node's process logs ($UPDRAFT_HOME/logs), then "
          + "follow the processes of every node through the bus; each line prefixed with its "
          + "node and process.")
  public static final class Tail implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    AgentOptions options;

    @Parameters(paramLabel = "PROCESS", arity = "0..*",
        description = "processes to show (default: all, and this node's agent log)")
    List<String> components = List.of();

    @Option(names = {"-n", "--lines"}, paramLabel = "N", defaultValue = "10",
        description = "lines of history per log of this node (default: ${DEFAULT-VALUE})")
    int lines;

    @Option(names = "--node", paramLabel = "NODE",
        description = "only this node (id or name); other nodes show new lines only")
    String node;

    @Option(names = "--local", description = "follow this node's files, not the bus")
    boolean local;

    @Option(names = "--no-follow", description = "print the history and exit")
    boolean noFollow;

    @Override
    public Integer call() throws Exception {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      if (lines < 0) {
        err.println("kato log tail: --lines must not be negative");
        return 2;
      }
      Path logs = options.home().resolve("logs");
      NodeConfig self = readSelf(options.home().resolve("node.yml"));
      boolean bus = !local && self != null && self.nats() != null
          && !self.nats().servers().isEmpty();
      Roles roles = Roles.builtIn();
      List<String> wanted = new ArrayList<>();
      for (String c : components) {
        wanted.add("agent".equals(c) ? "agent" : roles.resolveProcesses(List.of(c)).get(0));
      }
      boolean thisNode = node == null || (self != null && (node.equals(self.nodeId())
          || node.equals(self.hostname()) || node.equals(self.ip())));
      Connection connection = null;
      boolean window = false;
      if (bus) {
        try {
          connection = connect(self.nats());
          window = hasWindow(connection);
        } catch (IOException e) {
          err.println("kato log tail: cannot reach NATS at " + self.nats().redactedServers()
              + " (" + e.getMessage() + "); showing this node's files");
          err.flush();
        }
      }
      String prefix = connection != null && self.hostname() != null ? self.hostname() + "/" : "";

      // this node's files are the history unless the bus keeps every node's recent lines
      Map<String, Path> files = new LinkedHashMap<>();
      if (thisNode && !window) {
        if (wanted.isEmpty()) {
          if (Files.isDirectory(logs)) {
            try (Stream<Path> s = Files.list(logs)) {
              s.filter(p -> p.toString().endsWith(".log")).sorted().forEach(p -> files.put(
                  p.getFileName().toString().replaceAll("\\.log$", ""), p));
            }
          }
        } else {
          wanted.forEach(name -> files.put(name, logs.resolve(name + ".log")));
        }
        if (files.isEmpty() && connection == null) {
          err.println("kato log tail: no logs in " + logs);
          return 1;
        }
      }
      Map<String, Long> offsets = new LinkedHashMap<>();
      for (Map.Entry<String, Path> e : files.entrySet()) {
        if (!Files.isRegularFile(e.getValue())) {
          out.println("[" + prefix + e.getKey() + "] (no log yet: " + e.getValue() + ")");
          offsets.put(e.getKey(), 0L);
          continue;
        }
        for (String line : lastLines(e.getValue(), lines)) {
          out.println("[" + prefix + e.getKey() + "] " + line);
        }
        offsets.put(e.getKey(), Files.size(e.getValue()));
      }
      out.flush();
      if (connection != null) {
        try {
          followBus(connection, window, Set.copyOf(wanted), self.nats(), out, err);
        } finally {
          connection.close();
        }
        return 0;
      }
      if (noFollow) {
        return 0;
      }
      while (true) {
        for (Map.Entry<String, Path> e : files.entrySet()) {
          offsets.put(e.getKey(), follow(prefix + e.getKey(), e.getValue(),
              offsets.get(e.getKey()), out));
        }
        out.flush();
        Thread.sleep(250); // tail -f polling interval
      }
    }

    private static NodeConfig readSelf(Path file) {
      try {
        return NodeConfig.readNode(file);
      } catch (ConfigException e) {
        return null;
      }
    }

    private static Connection connect(NatsConfig config) throws IOException {
      try {
        return Nats.connect(io.updraft.kato.nats.WatcherOptions.of(config, "kato-log-tail"));
      } catch (IOException e) {
        throw e;
      } catch (Exception e) {
        if (e instanceof InterruptedException) {
          Thread.currentThread().interrupt();
        }
        throw new IOException(e.getMessage() == null ? e.getClass().getSimpleName()
            : e.getMessage(), e);
      }
    }

    /** Whether the bus keeps a recent window of component logs (JetStream stream). */
    private static boolean hasWindow(Connection connection) {
      try {
        connection.jetStreamManagement().getStreamInfo(ComponentLogStream.STREAM);
        return true;
      } catch (IOException | JetStreamApiException e) {
        return false;
      }
    }

    /**
     * With the window: its last {@code lines} lines per node and process, then new ones; without
     * it: new ones only. Until interrupted (Ctrl-C), or after the window with --no-follow.
     */
    private void followBus(Connection connection, boolean window, Set<String> processes,
        NatsConfig config, PrintWriter out, PrintWriter err) throws Exception {
      if (!window && noFollow) {
        return;
      }
      CountDownLatch replayed = new CountDownLatch(1);
      Replay replay = new Replay(lines, line -> show(line, processes, out));
      Dispatcher dispatcher = connection.createDispatcher();
      if (window) {
        var state = connection.jetStreamManagement()
            .getStreamInfo(ComponentLogStream.STREAM).getStreamState();
        replay.lastSeq = state.getMsgCount() == 0 ? 0 : state.getLastSequence();
        if (replay.lastSeq == 0) {
          replayed.countDown();
        }
        connection.jetStream().subscribe(Subjects.COMPONENT_LOGS_ANY, dispatcher, msg -> {
          if (!msg.isJetStream()) {
            return;
          }
          long seq = msg.metaData().streamSequence();
          ComponentLogLine line = decode(msg.getData());
          if (seq <= replay.lastSeq) {
            if (line != null && wanted(line, processes)) {
              replay.add(line);
            }
            if (seq >= replay.lastSeq || msg.metaData().pendingCount() == 0) {
              replay.flush();
              replayed.countDown();
            }
            return;
          }
          replay.flush();
          replayed.countDown();
          if (line != null) {
            show(line, processes, out);
          }
        }, false, PushSubscribeOptions.builder().stream(ComponentLogStream.STREAM).ordered(true)
            .configuration(ConsumerConfiguration.builder().deliverPolicy(DeliverPolicy.All)
                .build()).build());
      } else {
        dispatcher.subscribe(Subjects.COMPONENT_LOGS_ANY, msg -> {
          ComponentLogLine line = decode(msg.getData());
          if (line != null) {
            show(line, processes, out);
          }
        });
      }
      try {
        connection.flush(Duration.ofSeconds(5));
      } catch (java.util.concurrent.TimeoutException e) {
        throw new IOException("no answer from NATS within 5 s");
      }
      if (noFollow) {
        if (!replayed.await(30, TimeUnit.SECONDS)) {
          err.println("kato log tail: the recent lines did not all arrive within 30 s");
        }
        return;
      }
      err.println("following " + (node == null ? "every node" : node) + " on "
          + String.join(",", config.redactedServers()) + (window ? "" : " (the bus keeps no "
          + "recent lines: no JetStream)") + " (Ctrl-C to stop)");
      err.flush();
      CountDownLatch done = new CountDownLatch(1);
      Runtime.getRuntime().addShutdownHook(new Thread(done::countDown));
      done.await();
    }

    private static ComponentLogLine decode(byte[] data) {
      try {
        return ComponentLogLine.fromJson(data);
      } catch (RuntimeException e) {
        return null; // not a log line: nothing to show
      }
    }

    private boolean wanted(ComponentLogLine line, Set<String> processes) {
      return (processes.isEmpty() || processes.contains(line.process()))
          && (node == null || node.equals(line.node()) || node.equals(line.name()));
    }

    private void show(ComponentLogLine line, Set<String> processes, PrintWriter out) {
      if (!wanted(line, processes)) {
        return;
      }
      String who = line.name() != null ? line.name() : line.node();
      synchronized (out) {
        out.println("[" + who + "/" + line.process() + "] " + line.line());
        out.flush();
      }
    }

    /**
     * The window's lines as they are replayed (on the dispatcher's thread), then only the last
     * {@code n} of each node and process, in the order they were written.
     */
    private static final class Replay {
      private final int n;
      private final java.util.function.Consumer<ComponentLogLine> sink;
      private final List<ComponentLogLine> kept = new ArrayList<>();
      private boolean flushed;
      long lastSeq;

      Replay(int n, java.util.function.Consumer<ComponentLogLine> sink) {
        this.n = n;
        this.sink = sink;
      }

      void add(ComponentLogLine line) {
        kept.add(line);
      }

      void flush() {
        if (flushed) {
          return;
        }
        flushed = true;
        Map<String, Integer> remaining = new HashMap<>();
        for (ComponentLogLine l : kept) {
          remaining.merge(l.node() + "/" + l.process(), 1, Integer::sum);
        }
        for (ComponentLogLine l : kept) {
          String key = l.node() + "/" + l.process();
          int left = remaining.merge(key, -1, Integer::sum);
          if (left < n) {
            sink.accept(l);
          }
        }
        kept.clear();
      }
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
