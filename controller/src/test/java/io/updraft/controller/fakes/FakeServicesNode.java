package io.updraft.controller.fakes;

import io.updraft.common.bus.Bus;
import io.updraft.common.bus.Subscription;
import io.updraft.common.protocol.Subjects;
import io.updraft.common.protocol.services.BindRequest;
import io.updraft.common.protocol.services.NodeAnnouncement;
import io.updraft.common.protocol.services.NodeResponse;
import io.updraft.common.protocol.services.ProvisionRequest;
import io.updraft.common.protocol.services.ServiceType;
import io.updraft.common.protocol.services.UnbindRequest;
import io.updraft.common.protocol.services.UnprovisionRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A protocol-faithful services node for one type: answers provision, bind, unbind and
 * unprovision with made-up credentials, and announces when told to (the real node is tested
 * in its module and end to end). {@link #silent} makes it ignore requests, as a hung node.
 */
public final class FakeServicesNode implements AutoCloseable {

  public final ServiceType type;
  public final String nodeId;
  public final Map<String, List<String>> instances = new ConcurrentHashMap<>();
  public final List<Map<String, Object>> unbinds = new CopyOnWriteArrayList<>();
  public final List<String> unprovisions = new CopyOnWriteArrayList<>();
  public volatile boolean silent;
  private final Bus bus;
  private final AtomicInteger counter = new AtomicInteger();
  private final List<Subscription> subscriptions = new ArrayList<>();

  public FakeServicesNode(Bus bus, ServiceType type) {
    this.bus = bus;
    this.type = type;
    this.nodeId = type.serviceName() + "_node_0";
    String svc = type.busName();
    subscriptions.add(bus.subscribe(Subjects.serviceProvision(svc, nodeId),
        ProvisionRequest.class, d -> {
          if (silent) {
            return;
          }
          String id = "d" + counter.incrementAndGet() + "abcdef0123";
          instances.put(id, new CopyOnWriteArrayList<>());
          bus.reply(d, NodeResponse.ok(Map.of("name", id, "node_id", nodeId, "host",
              "10.0.0.9", "port", 5432, "user", id, "password", "owner-secret-" + id)));
        }));
    subscriptions.add(bus.subscribe(Subjects.serviceBind(svc, nodeId), BindRequest.class, d -> {
      if (silent) {
        return;
      }
      List<String> users = instances.get(d.body().name());
      if (users == null) {
        bus.reply(d, NodeResponse.failure(404, 30300, "not found"));
        return;
      }
      String user = "u" + counter.incrementAndGet();
      users.add(user);
      bus.reply(d, NodeResponse.ok(Map.of("name", d.body().name(), "node_id", nodeId,
          "host", "10.0.0.9", "port", 5432, "user", user, "password", "binding-secret-" + user,
          "uri", "postgres://" + user + ":binding-secret-" + user + "@10.0.0.9:5432/"
              + d.body().name())));
    }));
    subscriptions.add(bus.subscribe(Subjects.serviceUnbind(svc, nodeId), UnbindRequest.class,
        d -> {
          if (silent) {
            return;
          }
          unbinds.add(d.body().credentials());
          List<String> users = instances.get(String.valueOf(d.body().credentials().get("name")));
          if (users != null) {
            users.remove(String.valueOf(d.body().credentials().get("user")));
          }
          bus.reply(d, NodeResponse.ok(Map.of()));
        }));
    subscriptions.add(bus.subscribe(Subjects.serviceUnprovision(svc, nodeId),
        UnprovisionRequest.class, d -> {
          if (silent) {
            return;
          }
          unprovisions.add(d.body().name());
          instances.remove(d.body().name());
          bus.reply(d, NodeResponse.ok(Map.of()));
        }));
  }

  /** Publishes one announcement with that much room. */
  public void announce(long capacity) {
    bus.publish(Subjects.serviceAnnounce(type.busName()), new NodeAnnouncement(nodeId, "free",
        List.of("15"), capacity, 1L));
  }

  @Override
  public void close() {
    subscriptions.forEach(Subscription::close);
  }
}
