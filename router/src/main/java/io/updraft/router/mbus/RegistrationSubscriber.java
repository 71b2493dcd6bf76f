package io.updraft.router.mbus;

import io.updraft.common.bus.Bus;
import io.updraft.common.bus.Subscription;
import io.updraft.common.protocol.Subjects;
import io.updraft.common.protocol.router.RouteRegistration;
import io.updraft.router.registry.RouteTable;
import io.updraft.router.registry.RouteTable.Change;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds {@code router.register} and {@code router.unregister} into the route table. Every
 * router receives every registration (no queue group: each keeps the whole table).
 */
public final class RegistrationSubscriber {

  private static final Logger log = LoggerFactory.getLogger(RegistrationSubscriber.class);

  private final Bus bus;
  private final RouteTable table;
  private Subscription register;
  private Subscription unregister;

  public RegistrationSubscriber(Bus bus, RouteTable table) {
    this.bus = bus;
    this.table = table;
  }

  /** Subscribes; call on the verticle's event loop. */
  public void start() {
    register = bus.subscribe(Subjects.ROUTER_REGISTER, RouteRegistration.class, d -> {
      Change change = table.register(d.body());
      if (change == Change.ADDED || change == Change.UPDATED) {
        log.atInfo().setMessage("router.route." + change.name().toLowerCase())
            .addKeyValue("registration", d.body().logView()).log();
      }
    });
    unregister = bus.subscribe(Subjects.ROUTER_UNREGISTER, RouteRegistration.class, d -> {
      if (table.unregister(d.body()) == Change.REMOVED) {
        log.atInfo().setMessage("router.route.removed")
            .addKeyValue("registration", d.body().logView()).log();
      }
    });
  }

  public void stop() {
    if (register != null) {
      register.close();
      unregister.close();
    }
  }
}
