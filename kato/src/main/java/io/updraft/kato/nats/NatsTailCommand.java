package io.updraft.kato.nats;

import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Nats;
import io.updraft.common.bus.NatsConfig;
import io.updraft.kato.node.BusOptions;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code kato nats tail}: watch the bus, one decoded message per line. */
@Command(name = "tail", mixinStandardHelpOptions = true,
    description = "Print every message on the given NATS subjects (default: all), one per line.",
    footer = {"", "Examples:",
        "  kato nats tail                       everything",
        "  kato nats tail 'dea.>' router.register",
        "  kato nats tail --json dea.heartbeat | jq .message.droplets",
        "  kato nats tail --count 1 dea.advertise"})
public final class NatsTailCommand implements java.util.concurrent.Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Mixin
  BusOptions bus;

  @Parameters(paramLabel = "SUBJECT", arity = "0..*",
      description = "subjects or wildcards (* one token, > the rest); default: >")
  List<String> subjects = List.of(">");

  @Option(names = {"-n", "--count"}, paramLabel = "N",
      description = "exit after N messages")
  Integer count;

  @Option(names = "--raw", description = "print payloads exactly as sent")
  boolean raw;

  @Option(names = "--pretty", description = "pretty-print JSON over several lines")
  boolean pretty;

  @Option(names = "--json", description = "one JSON object per line (for jq and scripts)")
  boolean json;

  @Option(names = "--no-color", description = "no colours (also when NO_COLOR is set or not a terminal)")
  boolean noColor;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (count != null && count < 1) {
      err.println("kato nats tail: --count must be at least 1");
      return 2;
    }
    if (List.of(raw, pretty, json).stream().filter(b -> b).count() > 1) {
      err.println("kato nats tail: choose one of --raw, --pretty, --json");
      return 2;
    }
    NatsConfig config = bus.natsConfig();
    TailFormatter.Style style = json ? TailFormatter.Style.JSON : raw ? TailFormatter.Style.RAW
        : pretty ? TailFormatter.Style.PRETTY : TailFormatter.Style.LINE;
    boolean color = !noColor && System.getenv("NO_COLOR") == null && System.console() != null;
    TailFormatter formatter = new TailFormatter(style, color, ZoneId.systemDefault());

    Connection connection;
    try {
      connection = Nats.connect(WatcherOptions.of(config, "kato-nats-tail"));
    } catch (Exception e) {
      err.println("kato nats tail: cannot reach NATS at " + config.redactedServers() + ": "
          + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
      return 1;
    }
    CountDownLatch done = new CountDownLatch(1);
    AtomicInteger seen = new AtomicInteger();
    Dispatcher dispatcher = connection.createDispatcher(msg -> {
      if (count != null && seen.get() >= count) {
        return;
      }
      String line = formatter.format(Instant.now(), msg.getSubject(), msg.getReplyTo(),
          msg.getData() == null ? new byte[0] : msg.getData());
      out.println(line);
      out.flush();
      if (count != null && seen.incrementAndGet() >= count) {
        done.countDown();
      }
    });
    for (String subject : subjects) {
      dispatcher.subscribe(subject);
    }
    connection.flush(Duration.ofSeconds(5));
    if (!json && !raw) {
      err.println("watching " + String.join(" ", subjects) + " on "
          + String.join(",", config.redactedServers()) + " (Ctrl-C to stop)");
    }
    Runtime.getRuntime().addShutdownHook(new Thread(done::countDown));
    done.await();
    connection.close();
    return 0;
  }

}
