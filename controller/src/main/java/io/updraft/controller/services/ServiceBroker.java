package io.updraft.controller.services;

import io.updraft.common.bus.Bus;
import io.updraft.common.bus.BusTimeoutException;
import io.updraft.common.protocol.Subjects;
import io.updraft.common.protocol.WireMessage;
import io.updraft.common.protocol.services.BindRequest;
import io.updraft.common.protocol.services.NodeResponse;
import io.updraft.common.protocol.services.ProvisionRequest;
import io.updraft.common.protocol.services.ServiceErrors;
import io.updraft.common.protocol.services.ServiceType;
import io.updraft.common.protocol.services.UnbindRequest;
import io.updraft.common.protocol.services.UnprovisionRequest;
import io.updraft.controller.api.ApiError;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The controller as services gateway: the four node operations over NATS request/reply
 * ({@code <svc>.provision|unprovision|bind|unbind.<node_id>}, PROTOCOL.md 9.2), each bounded
 * by {@code node_timeout}. A node that does not answer is HTTP 504 / 30700 for the API; a node
 * that answers with a failure passes its status, code and description through.
 *
 * <p>A provision that times out is recorded nowhere: if the node finished it after all, that
 * instance is an orphan on the node (CF v1's orphan check would find it; Updraft has none yet).
 */
public final class ServiceBroker {

  private static final Logger log = LoggerFactory.getLogger(ServiceBroker.class);

  private final Bus bus;
  private final Duration timeout;

  public ServiceBroker(Bus bus, Duration timeout) {
    this.bus = bus;
    this.timeout = timeout;
  }

  public Future<Map<String, Object>> provision(ServiceType type, String nodeId, String plan,
      String version) {
    return call(type, nodeId, "provision", Subjects.serviceProvision(type.busName(), nodeId),
        new ProvisionRequest(plan, version, null)).map(NodeResponse::credentials);
  }

  public Future<Void> unprovision(ServiceInstance instance,
      List<Map<String, Object>> bindings) {
    return call(instance.type(), instance.nodeId(), "unprovision",
        Subjects.serviceUnprovision(instance.type().busName(), instance.nodeId()),
        new UnprovisionRequest(instance.serviceId(), bindings)).mapEmpty();
  }

  public Future<Map<String, Object>> bind(ServiceInstance instance) {
    return call(instance.type(), instance.nodeId(), "bind",
        Subjects.serviceBind(instance.type().busName(), instance.nodeId()),
        new BindRequest(instance.serviceId(), Map.of(), null)).map(NodeResponse::credentials);
  }

  public Future<Void> unbind(ServiceInstance instance, Map<String, Object> credentials) {
    return call(instance.type(), instance.nodeId(), "unbind",
        Subjects.serviceUnbind(instance.type().busName(), instance.nodeId()),
        new UnbindRequest(credentials)).mapEmpty();
  }

  private Future<NodeResponse> call(ServiceType type, String nodeId, String op, String subject,
      WireMessage request) {
    return bus.request(subject, request, NodeResponse.class, timeout)
        .recover(e -> {
          if (e instanceof BusTimeoutException) {
            log.atWarn().setMessage("services.node.timeout").addKeyValue("type",
                type.serviceName()).addKeyValue("node_id", nodeId).addKeyValue("op", op).log();
            return Future.failedFuture(new ApiError(504, ServiceErrors.GATEWAY_TIMEOUT,
                "Service node " + nodeId + " (" + type.serviceName() + ") did not answer the "
                    + op + " request within " + timeout.toMillis() + " ms; nothing was "
                    + (op.startsWith("un") ? "removed" : "created")));
          }
          return Future.failedFuture(e);
        })
        .compose(reply -> {
          if (Boolean.TRUE.equals(reply.success())) {
            return Future.succeededFuture(reply);
          }
          int status = reply.error() != null && reply.error().status() != null
              ? reply.error().status() : 502;
          int code = reply.error() != null && reply.error().msg() != null
              && reply.error().msg().code() != null ? reply.error().msg().code() : 503;
          String description = reply.error() != null && reply.error().msg() != null
              && reply.error().msg().description() != null ? reply.error().msg().description()
              : "Unexpected response from service node " + nodeId;
          log.atWarn().setMessage("services.node.refused").addKeyValue("type", type.serviceName())
              .addKeyValue("node_id", nodeId).addKeyValue("op", op).addKeyValue("code", code)
              .log();
          return Future.failedFuture(new ApiError(status, code, description));
        });
  }
}
