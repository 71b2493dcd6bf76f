package io.updraft.healthmanager;

import io.updraft.common.bus.Bus;
import io.updraft.common.protocol.Subjects;
import io.updraft.common.protocol.health.BulkAppsReply;
import io.updraft.common.protocol.health.BulkAppsReply.BulkApp;
import io.updraft.common.protocol.health.BulkAppsRequest;
import io.updraft.common.protocol.health.HmRequest;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** The controller's side as the health manager sees it: desired state pages, requests taken. */
final class FakeController {

  final Map<String, BulkApp> apps = new ConcurrentHashMap<>();
  final List<HmRequest> requests = new CopyOnWriteArrayList<>();

  FakeController(Bus bus) {
    bus.subscribe(Subjects.BULK_APPS, Subjects.QUEUE_CC, BulkAppsRequest.class, d -> {
      BulkAppsRequest q = d.body();
      if (q.droplet() != null) {
        BulkApp app = apps.get(q.droplet());
        bus.reply(d, new BulkAppsReply(app == null ? Map.of() : Map.of(app.id(), app), null));
        return;
      }
      long after = q.bulkToken() == null ? 0 : q.bulkToken().id();
      TreeMap<Long, BulkApp> sorted = new TreeMap<>();
      apps.values().forEach(a -> sorted.put(Long.parseLong(a.id()), a));
      Map<String, BulkApp> page = new java.util.LinkedHashMap<>();
      long last = after;
      for (var e : sorted.tailMap(after, false).entrySet()) {
        if (page.size() == q.batchSize()) {
          break;
        }
        page.put(e.getValue().id(), e.getValue());
        last = e.getKey();
      }
      bus.reply(d, new BulkAppsReply(page, new BulkAppsRequest.BulkToken(last)));
    });
    bus.subscribe(Subjects.HM_REQUESTS, Subjects.QUEUE_CC, HmRequest.class,
        d -> requests.add(d.body()));
  }

  void put(BulkApp app) {
    apps.put(app.id(), app);
  }

  List<HmRequest> starts() {
    return requests.stream().filter(r -> r.op() == HmRequest.Op.START).toList();
  }

  List<HmRequest> stops() {
    return requests.stream().filter(r -> r.op() == HmRequest.Op.STOP).toList();
  }

  /** Indices asked for, over every START of that app. */
  List<Integer> startedIndices(String app) {
    return starts().stream().filter(r -> r.droplet().equals(app))
        .flatMap(r -> r.indices().stream()).toList();
  }
}
