package io.updraft.dea.responders;

import io.updraft.common.protocol.dea.InstanceStats;
import io.updraft.dea.instance.Instance;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** An instance's {@code stats} object (PROTOCOL.md 3.8): quotas in bytes, memory used in KB. */
final class InstanceStatsView {

  private static final DateTimeFormatter RUBY_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss Z", Locale.ROOT);

  private InstanceStatsView() {
  }

  static InstanceStats of(Instance i, String host, Clock clock) {
    Instance.Usage u = i.usage();
    InstanceStats.Usage usage = u == null ? null : new InstanceStats.Usage(
        RUBY_TIME.format(u.time().atZone(ZoneId.systemDefault())), u.cpuPercent(), u.memKb(),
        u.diskBytes());
    double uptime = Duration.between(i.createdAt(), clock.instant()).toMillis() / 1000.0;
    return new InstanceStats(i.name(), host, i.port(), i.uris(), uptime,
        i.limits().memMb() * 1024L * 1024L, i.limits().diskMb() * 1024L * 1024L,
        i.limits().fds(), Runtime.getRuntime().availableProcessors(), usage);
  }
}
