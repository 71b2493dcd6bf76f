package io.updraft.common.protocol.services;

/**
 * Service error codes of the gateway/node envelope (PROTOCOL.md 9.2, 9.3), the
 * {@code error.msg.code} of a failed {@link NodeResponse}. The values follow CF v1's
 * {@code vcap-services-base}; {@link #CAPACITY_EXHAUSTED} is Updraft's.
 */
public final class ServiceErrors {

  private ServiceErrors() {
  }

  /** 400: the request body is not what the operation needs. */
  public static final int INVALID_CONTENT = 30000;
  /** 404: the node does not serve that plan. */
  public static final int UNKNOWN_PLAN = 30003;
  /** 404: the instance or binding is not known to the node. */
  public static final int NOT_FOUND = 30300;
  /** 500: the backing server refused or failed. */
  public static final int INTERNAL_ERROR = 30500;
  /** 503: the node (or every node of the type) has no room for another instance. */
  public static final int CAPACITY_EXHAUSTED = 30601;
  /** 503: no node of the type is available. */
  public static final int SERVICE_UNAVAILABLE = 30600;
  /** 504: the node did not answer within the gateway's {@code node_timeout}. */
  public static final int GATEWAY_TIMEOUT = 30700;
}
