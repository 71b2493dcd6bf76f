package io.updraft.servicesnode;

import io.updraft.common.component.ComponentLauncher;
import io.updraft.common.component.ComponentLauncher.Runtime;
import io.updraft.common.protocol.services.ServiceType;
import io.updraft.servicesnode.ServicesNodeConfig.ServiceConfig;
import io.updraft.servicesnode.backend.Backend;
import io.updraft.servicesnode.backend.FilesystemBackend;
import io.updraft.servicesnode.backend.MysqlBackend;
import io.updraft.servicesnode.backend.PostgresBackend;
import io.updraft.servicesnode.backend.RedisBackend;
import io.updraft.servicesnode.responders.ServiceResponder;
import io.updraft.servicesnode.store.DataDir;
import io.updraft.servicesnode.store.NodeStore;
import io.vertx.core.Deployable;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The services node's bootstrap, the one place that knows its object graph: config (loaded by
 * the launcher), its data dir made private, then per served type its backend (the server it administers) and its store
 * (read from disk on a worker thread), then the responders inside the main verticle.
 */
public final class ServicesNodeMain {

  public static final String TYPE = "ServicesNode";
  private static final Logger log = LoggerFactory.getLogger(ServicesNodeMain.class);

  private ServicesNodeMain() {
  }

  public static void main(String[] args) {
    ComponentLauncher.main(args, TYPE, ServicesNodeConfig.class, ServicesNodeMain::verticle);
  }

  /** Builds the verticle from what the launcher set up (also how tests start a node). */
  public static Deployable verticle(Runtime<ServicesNodeConfig> runtime) {
    ServicesNodeConfig config = runtime.config();
    Clock clock = Clock.systemUTC();
    return new ServicesNodeVerticle(runtime.bus(), runtime.component(),
        vertx -> vertx.executeBlocking(() -> {
          List<Path> instanceRoots = config.served().entrySet().stream()
              .filter(e -> e.getKey() == ServiceType.FILESYSTEM)
              .map(e -> Path.of(e.getValue().dir())).toList();
          int tightened = DataDir.prepare(config.dataPath(), instanceRoots);
          log.atDebug().setMessage("services.data-dir.private")
              .addKeyValue("dir", config.dataPath()).addKeyValue("modes_changed", tightened).log();
          List<ServiceResponder> responders = new ArrayList<>();
          for (Map.Entry<ServiceType, ServiceConfig> e : config.served().entrySet()) {
            ServiceType type = e.getKey();
            if (e.getValue().isUnavailable()) {
              // not announced, so the controller shows the type unavailable; a server that is
              // merely down is reported by its responder (services.backend.down) instead
              log.atWarn().setMessage("services.backend.unavailable")
                  .addKeyValue("type", type.serviceName())
                  .addKeyValue("reason", e.getValue().unavailable()).log();
              continue;
            }
            NodeStore store = NodeStore.open(config.dataPath().resolve(type.serviceName()));
            responders.add(new ServiceResponder(vertx, runtime.bus(), e.getValue(),
                backend(type, e.getValue()), store, config.announceInterval(), clock));
          }
          return responders;
        }));
  }

  static Backend backend(ServiceType type, ServiceConfig config) {
    return switch (type) {
      case POSTGRESQL -> new PostgresBackend(config);
      case MYSQL -> new MysqlBackend(config);
      case REDIS -> new RedisBackend(config);
      case FILESYSTEM -> new FilesystemBackend(config);
    };
  }
}
