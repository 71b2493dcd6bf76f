package io.updraft.common.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.updraft.common.protocol.component.ComponentDiscover;
import io.updraft.common.protocol.dea.DeaAdvertise;
import io.updraft.common.protocol.dea.DeaDiscoverRequest;
import io.updraft.common.protocol.dea.DeaHello;
import io.updraft.common.protocol.dea.DeaStartRequest;
import io.updraft.common.protocol.dea.DeaStatusReply;
import io.updraft.common.protocol.dea.DeaStopRequest;
import io.updraft.common.protocol.dea.DeaUpdateRequest;
import io.updraft.common.protocol.dea.FindDropletReply;
import io.updraft.common.protocol.dea.FindDropletRequest;
import io.updraft.common.protocol.dea.Heartbeat;
import io.updraft.common.protocol.dea.InstanceStats;
import io.updraft.common.protocol.droplet.DropletExited;
import io.updraft.common.protocol.droplet.DropletUpdated;
import io.updraft.common.protocol.health.BulkAppsReply;
import io.updraft.common.protocol.health.BulkAppsRequest;
import io.updraft.common.protocol.health.BulkCredentials;
import io.updraft.common.protocol.health.DeaDraining;
import io.updraft.common.protocol.health.DeaLost;
import io.updraft.common.protocol.health.HealthDropletReply;
import io.updraft.common.protocol.health.PlacementStatus;
import io.updraft.common.protocol.node.ClusterConfigReply;
import io.updraft.common.protocol.node.ClusterConfigRequest;
import io.updraft.common.protocol.node.NodeStatus;
import io.updraft.common.protocol.health.CrashesStatusReply;
import io.updraft.common.protocol.health.FlappingStatusReply;
import io.updraft.common.protocol.health.HealthReply;
import io.updraft.common.protocol.health.HealthRequest;
import io.updraft.common.protocol.health.HealthStatusRequest;
import io.updraft.common.protocol.health.HmRequest;
import io.updraft.common.protocol.health.ScaleRequest;
import io.updraft.common.protocol.router.RouteRegistration;
import io.updraft.common.protocol.router.RouterStart;
import io.updraft.common.protocol.services.BindRequest;
import io.updraft.common.protocol.services.NodeAnnouncement;
import io.updraft.common.protocol.services.NodeResponse;
import io.updraft.common.protocol.services.ProvisionRequest;
import io.updraft.common.protocol.services.UnbindRequest;
import io.updraft.common.protocol.services.UnprovisionRequest;
import io.updraft.common.protocol.logs.AppLogLine;
import io.updraft.common.protocol.staging.StagingLogLine;
import io.updraft.common.protocol.staging.StagingRequest;
import io.updraft.common.protocol.staging.StagingResult;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The sample payload of every message, under {@code protocol-samples/} on the test class path
 * (taken from PROTOCOL.md section 23 where it gives one), and how to compare JSON trees.
 */
final class ProtocolSamples {

  private static final String DEA = "0-9a1f3c0d2b7e4f6a8c5d1e2f3a4b5c6d";

  /**
   * One sample file, the record it decodes to, and the subject it is published on ({@code null}
   * for replies, which travel on an inbox).
   */
  record Sample(String file, Class<? extends WireMessage> type, String subject) {

    byte[] bytes() {
      return read("protocol-samples/" + file + ".json");
    }

    /** Decodes through the record's own static {@code fromJson(byte[])}. */
    WireMessage decode() {
      try {
        return type.cast(type.getMethod("fromJson", byte[].class).invoke(null, (Object) bytes()));
      } catch (InvocationTargetException e) {
        throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e);
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException(type + " has no static fromJson(byte[])", e);
      }
    }

    @Override
    public String toString() {
      return file + " -> " + type.getSimpleName();
    }
  }

  private ProtocolSamples() {
  }

  static List<Sample> all() {
    return List.of(
        new Sample("vcap.component.announce", ComponentDiscover.class, Subjects.COMPONENT_ANNOUNCE),
        new Sample("dea.start", DeaHello.class, Subjects.DEA_HELLO),
        new Sample("dea.advertise", DeaAdvertise.class, Subjects.DEA_ADVERTISE),
        new Sample("dea.discover", DeaDiscoverRequest.class, Subjects.DEA_DISCOVER),
        new Sample("dea.status.reply", DeaStatusReply.class, null),
        new Sample("dea.uuid.start", DeaStartRequest.class, Subjects.deaStart(DEA)),
        new Sample("dea.stop", DeaStopRequest.class, Subjects.DEA_STOP),
        new Sample("dea.update", DeaUpdateRequest.class, Subjects.DEA_UPDATE),
        new Sample("dea.find.droplet", FindDropletRequest.class, Subjects.DEA_FIND_DROPLET),
        new Sample("dea.find.droplet.reply", FindDropletReply.class, null),
        new Sample("droplet.status.reply", InstanceStats.class, null),
        new Sample("dea.heartbeat", Heartbeat.class, Subjects.DEA_HEARTBEAT),
        new Sample("dea.heartbeat.usage", Heartbeat.class, Subjects.DEA_HEARTBEAT),
        new Sample("droplet.exited", DropletExited.class, Subjects.DROPLET_EXITED),
        new Sample("droplet.updated", DropletUpdated.class, Subjects.DROPLET_UPDATED),
        new Sample("cloudcontrollers.hm.requests.start", HmRequest.class,
            Subjects.hmRequests("default")),
        new Sample("cloudcontrollers.hm.requests.stop", HmRequest.class, Subjects.HM_REQUESTS),
        new Sample("cloudcontrollers.hm.scalerequests", ScaleRequest.class,
            Subjects.HM_SCALE_REQUESTS),
        new Sample("cloudcontrollers.hm.scalerequests.scaledown", ScaleRequest.class,
            Subjects.HM_SCALE_REQUESTS),
        new Sample("healthmanager.status", HealthStatusRequest.class, Subjects.HM_STATUS),
        new Sample("healthmanager.status.flapping.reply", FlappingStatusReply.class, null),
        new Sample("healthmanager.status.crashes.reply", CrashesStatusReply.class, null),
        new Sample("healthmanager.health", HealthRequest.class, Subjects.HM_HEALTH),
        new Sample("healthmanager.health.reply", HealthReply.class, null),
        new Sample("cloudcontroller.bulk.credentials.reply", BulkCredentials.class, null),
        new Sample("cloudcontroller.bulk.apps", BulkAppsRequest.class, Subjects.BULK_APPS),
        new Sample("cloudcontroller.bulk.apps.reply", BulkAppsReply.class, null),
        new Sample("cloudcontroller.placement", PlacementStatus.class,
            Subjects.PLACEMENT_STATUS),
        new Sample("healthmanager.dea_lost", DeaLost.class, Subjects.HM_DEA_LOST),
        new Sample("cloudcontrollers.dea_draining", DeaDraining.class, Subjects.DEA_DRAINING),
        new Sample("dea.advertise.node", DeaAdvertise.class, Subjects.DEA_ADVERTISE),
        new Sample("updraft.node.status", NodeStatus.class, Subjects.NODE_STATUS),
        new Sample("updraft.config.request", ClusterConfigRequest.class, Subjects.CONFIG_REQUEST),
        new Sample("updraft.config.request.set", ClusterConfigRequest.class,
            Subjects.CONFIG_REQUEST),
        new Sample("updraft.config.request.reply", ClusterConfigReply.class, null),
        new Sample("healthmanager.droplet.reply", HealthDropletReply.class, null),
        new Sample("router.register", RouteRegistration.class, Subjects.ROUTER_REGISTER),
        new Sample("router.unregister", RouteRegistration.class, Subjects.ROUTER_UNREGISTER),
        new Sample("router.start", RouterStart.class, Subjects.ROUTER_START),
        new Sample("staging", StagingRequest.class, Subjects.STAGING),
        new Sample("staging.reply", StagingResult.class, null),
        new Sample("staging.log", StagingLogLine.class, "staging.a1b2.log"),
        new Sample("logs", AppLogLine.class, Subjects.appLogs("42")),
        new Sample("updraft.logs", io.updraft.common.protocol.node.ComponentLogLine.class,
            Subjects.componentLogs("3f9a0c1d2b4e", "dea")),
        new Sample("MyaaS.announce", NodeAnnouncement.class, Subjects.serviceAnnounce("MyaaS")),
        new Sample("MyaaS.provision", ProvisionRequest.class,
            Subjects.serviceProvision("MyaaS", "mysql_node_0")),
        new Sample("MyaaS.provision.reply", NodeResponse.class, null),
        new Sample("MyaaS.provision.failure.reply", NodeResponse.class, null),
        new Sample("MyaaS.unprovision", UnprovisionRequest.class,
            Subjects.serviceUnprovision("MyaaS", "mysql_node_0")),
        new Sample("MyaaS.bind", BindRequest.class, Subjects.serviceBind("MyaaS", "mysql_node_0")),
        new Sample("MyaaS.unbind", UnbindRequest.class,
            Subjects.serviceUnbind("MyaaS", "mysql_node_0")));
  }

  static List<Sample> published() {
    return all().stream().filter(s -> s.subject() != null).toList();
  }

  static byte[] read(String resource) {
    try (InputStream in = ProtocolSamples.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("missing test resource " + resource);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Whether two payloads carry the same message: same tree, where a field set to null counts as
   * absent (writers omit nulls) and numbers are compared by value ({@code 3} equals {@code 3.0}).
   */
  static boolean sameJson(JsonNode a, JsonNode b) {
    return withoutNullFields(a.deepCopy()).equals(BY_VALUE, withoutNullFields(b.deepCopy()));
  }

  private static final Comparator<JsonNode> BY_VALUE = (x, y) ->
      x.isNumber() && y.isNumber() ? x.decimalValue().compareTo(y.decimalValue())
          : x.equals(y) ? 0 : 1;

  private static JsonNode withoutNullFields(JsonNode node) {
    if (node instanceof ObjectNode object) {
      List<String> nulls = object.properties().stream()
          .filter(e -> e.getValue().isNull()).map(Map.Entry::getKey).toList();
      object.remove(nulls);
    }
    node.forEach(ProtocolSamples::withoutNullFields);
    return node;
  }
}
