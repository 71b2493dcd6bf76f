package io.updraft.common.protocol;

import io.updraft.common.protocol.component.ComponentDiscover;
import io.updraft.common.protocol.component.ConfigChanged;
import io.updraft.common.protocol.dea.DeaAdvertise;
import io.updraft.common.protocol.dea.DeaDiscoverRequest;
import io.updraft.common.protocol.dea.DeaHello;
import io.updraft.common.protocol.dea.DeaStartRequest;
import io.updraft.common.protocol.dea.DeaStopRequest;
import io.updraft.common.protocol.dea.DeaUpdateRequest;
import io.updraft.common.protocol.dea.FindDropletRequest;
import io.updraft.common.protocol.dea.Heartbeat;
import io.updraft.common.protocol.droplet.DropletExited;
import io.updraft.common.protocol.droplet.DropletUpdated;
import io.updraft.common.protocol.health.BulkAppsRequest;
import io.updraft.common.protocol.health.DeaDraining;
import io.updraft.common.protocol.health.DeaLost;
import io.updraft.common.protocol.health.HealthRequest;
import io.updraft.common.protocol.health.HealthStatusRequest;
import io.updraft.common.protocol.health.HmRequest;
import io.updraft.common.protocol.health.PlacementStatus;
import io.updraft.common.protocol.health.ScaleRequest;
import io.updraft.common.protocol.logs.AppLogLine;
import io.updraft.common.protocol.node.ClusterConfigRequest;
import io.updraft.common.protocol.node.NodeStatus;
import io.updraft.common.protocol.router.RouteRegistration;
import io.updraft.common.protocol.router.RouterStart;
import io.updraft.common.protocol.services.BindRequest;
import io.updraft.common.protocol.services.NodeAnnouncement;
import io.updraft.common.protocol.services.ProvisionRequest;
import io.updraft.common.protocol.services.UnbindRequest;
import io.updraft.common.protocol.services.UnprovisionRequest;
import io.updraft.common.protocol.staging.StagingLogLine;
import io.updraft.common.protocol.staging.StagingRequest;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Which record decodes the messages published on a subject, for tools that watch the whole bus
 * ({@code kato nats tail} prints each message with its type and log view).
 *
 * <p>Only what is published <em>on</em> a subject is typed. Replies travel on the requester's
 * {@code _INBOX.…} subject, which says nothing about their type, so they have none here; a tool
 * that sent the request knows the reply type from the request. Signal subjects map to
 * {@link Empty}. {@code router.active_apps} (zlib-compressed) and {@code vcap.cc.events} (a JSON
 * array) have no record. Adding a message means adding its subject here.
 */
public final class MessageCatalog {

  /** Pattern to type, exact subjects before wildcard patterns; the first match wins. */
  private static final Map<String, Class<? extends WireMessage>> TYPES = build();

  private MessageCatalog() {
  }

  private static Map<String, Class<? extends WireMessage>> build() {
    Map<String, Class<? extends WireMessage>> m = new LinkedHashMap<>();
    m.put(Subjects.COMPONENT_ANNOUNCE, ComponentDiscover.class);
    m.put(Subjects.CONFIG_CHANGED, ConfigChanged.class);
    m.put(Subjects.CONFIG_REQUEST, ClusterConfigRequest.class);
    m.put(Subjects.NODE_STATUS, NodeStatus.class);
    m.put(Subjects.COMPONENT_DISCOVER, Empty.class);
    m.put(Subjects.DEA_HELLO, DeaHello.class);
    m.put(Subjects.DEA_ADVERTISE, DeaAdvertise.class);
    m.put(Subjects.DEA_LOCATE, Empty.class);
    m.put(Subjects.DEA_DISCOVER, DeaDiscoverRequest.class);
    m.put(Subjects.DEA_STOP, DeaStopRequest.class);
    m.put(Subjects.DEA_UPDATE, DeaUpdateRequest.class);
    m.put(Subjects.DEA_FIND_DROPLET, FindDropletRequest.class);
    m.put(Subjects.DEA_STATUS, Empty.class);
    m.put(Subjects.DEA_HEARTBEAT, Heartbeat.class);
    m.put(Subjects.DROPLET_STATUS, Empty.class);
    m.put(Subjects.DROPLET_EXITED, DropletExited.class);
    m.put(Subjects.DROPLET_UPDATED, DropletUpdated.class);
    m.put(Subjects.HM_START, Empty.class);
    m.put(Subjects.HM_STATUS, HealthStatusRequest.class);
    m.put(Subjects.HM_HEALTH, HealthRequest.class);
    m.put(Subjects.HM_DROPLET, HealthRequest.class);
    m.put(Subjects.HM_REQUESTS, HmRequest.class);
    m.put(Subjects.HM_SCALE_REQUESTS, ScaleRequest.class);
    m.put(Subjects.BULK_CREDENTIALS, Empty.class);
    m.put(Subjects.BULK_APPS, BulkAppsRequest.class);
    m.put(Subjects.BULK_APPS + ".*", BulkAppsRequest.class);
    m.put(Subjects.HM_DEA_LOST, DeaLost.class);
    m.put(Subjects.PLACEMENT_STATUS, PlacementStatus.class);
    m.put(Subjects.DEA_DRAINING, DeaDraining.class);
    m.put(Subjects.ROUTER_REGISTER, RouteRegistration.class);
    m.put(Subjects.ROUTER_UNREGISTER, RouteRegistration.class);
    m.put(Subjects.ROUTER_START, RouterStart.class);
    m.put(Subjects.ROUTER_GREET, Empty.class);
    m.put(Subjects.STAGING, StagingRequest.class);
    m.put(Subjects.DEA_START_ANY, DeaStartRequest.class);
    m.put(Subjects.STAGING_LOG_ANY, StagingLogLine.class);
    m.put(Subjects.APP_LOGS_ANY, AppLogLine.class);
    m.put(Subjects.COMPONENT_LOGS_ANY, io.updraft.common.protocol.node.ComponentLogLine.class);
    m.put(Subjects.HM_REQUESTS_ANY_PARTITION, HmRequest.class);
    m.put(Subjects.BULK_CREDENTIALS_ANY_PARTITION, Empty.class);
    m.put(Subjects.SERVICE_ANNOUNCE_ANY, NodeAnnouncement.class);
    m.put(Subjects.SERVICE_PROVISION_ANY, ProvisionRequest.class);
    m.put(Subjects.SERVICE_UNPROVISION_ANY, UnprovisionRequest.class);
    m.put(Subjects.SERVICE_BIND_ANY, BindRequest.class);
    m.put(Subjects.SERVICE_UNBIND_ANY, UnbindRequest.class);
    return Collections.unmodifiableMap(m);
  }

  /** The record that decodes messages published on {@code subject}, if the subject is known. */
  public static Optional<Class<? extends WireMessage>> typeFor(String subject) {
    if (subject == null || subject.startsWith(Subjects.INBOX_PREFIX)) {
      return Optional.empty();
    }
    return TYPES.entrySet().stream()
        .filter(e -> Subjects.matches(e.getKey(), subject))
        .<Class<? extends WireMessage>>map(Map.Entry::getValue)
        .findFirst();
  }

  /** Every known subject or pattern with its type, in matching order. */
  public static Map<String, Class<? extends WireMessage>> entries() {
    return TYPES;
  }
}
