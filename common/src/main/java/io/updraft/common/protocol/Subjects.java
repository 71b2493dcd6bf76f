package io.updraft.common.protocol;

/**
 * Every NATS subject Updraft uses, in one place (PROTOCOL.md section 2). Components never
 * write subject literals; parameterised subjects have factory methods.
 *
 * <p>Queue groups are used exactly where CF v1 used them: {@link #QUEUE_CC} on the
 * health-manager request subjects and {@link #QUEUE_STAGING} on {@link #STAGING}.
 */
public final class Subjects {

  private Subjects() {
  }

  // component registry (section 1)
  public static final String COMPONENT_ANNOUNCE = "vcap.component.announce";
  public static final String COMPONENT_DISCOVER = "vcap.component.discover";
  /** Updraft addition: {@code kato config} changed a key that components apply live. */
  public static final String CONFIG_CHANGED = "updraft.config.changed";
  /** Updraft addition: read or change the cluster config through the node agents (queue kato). */
  public static final String CONFIG_REQUEST = "updraft.config.request";
  public static final String QUEUE_KATO = "kato";
  /** Updraft addition: each node agent's roles, processes and host statistics, at an interval. */
  public static final String NODE_STATUS = "updraft.node.status";
  /** Pattern matching every node's component log lines ({@code kato log tail}). */
  public static final String COMPONENT_LOGS_ANY = "updraft.logs.>";

  /** {@code updraft.logs.<node_id>.<process>}: the log lines of one supervised process. */
  public static String componentLogs(String nodeId, String process) {
    return "updraft.logs." + token(nodeId, "node id") + "." + token(process, "process");
  }

  // DEA (section 3)
  public static final String DEA_HELLO = "dea.start";
  public static final String DEA_ADVERTISE = "dea.advertise";
  public static final String DEA_LOCATE = "dea.locate";
  public static final String DEA_DISCOVER = "dea.discover";
  public static final String DEA_STOP = "dea.stop";
  public static final String DEA_UPDATE = "dea.update";
  public static final String DEA_FIND_DROPLET = "dea.find.droplet";
  public static final String DEA_STATUS = "dea.status";
  public static final String DEA_HEARTBEAT = "dea.heartbeat";
  /** Pattern matching every DEA's start subject, for tools that watch the bus. */
  public static final String DEA_START_ANY = "dea.*.start";

  /** {@code dea.<uuid>.start}: start one instance on that DEA. */
  public static String deaStart(String deaId) {
    return "dea." + token(deaId, "dea id") + ".start";
  }

  // droplets (sections 3.9, 3.10, 4.5)
  public static final String DROPLET_STATUS = "droplet.status";
  public static final String DROPLET_EXITED = "droplet.exited";
  public static final String DROPLET_UPDATED = "droplet.updated";

  // health manager (sections 4.4, 5)
  public static final String HM_START = "healthmanager.start";
  public static final String HM_STATUS = "healthmanager.status";
  public static final String HM_HEALTH = "healthmanager.health";
  public static final String HM_DROPLET = "healthmanager.droplet";
  public static final String HM_REQUESTS = "cloudcontrollers.hm.requests";
  /** Updraft addition: the active health manager declares a DEA lost (controllers forget it). */
  public static final String HM_DEA_LOST = "healthmanager.dea_lost";
  /** Updraft addition: desired state paged over NATS, the bulk API's shape (queue {@code cc}). */
  public static final String BULK_APPS = "cloudcontroller.bulk.apps";
  /** Updraft addition: a controller's instances waiting for room (the autoscaler adds them). */
  public static final String PLACEMENT_STATUS = "cloudcontroller.placement";
  /** Stackato DEA-pool scaling requests (PROTOCOL.md decision 4). */
  public static final String HM_SCALE_REQUESTS = "cloudcontrollers.hm.scalerequests";
  /** Updraft addition: a controller drains a DEA for a scale-down (all stop placing on it). */
  public static final String DEA_DRAINING = "cloudcontrollers.dea_draining";
  public static final String QUEUE_CC = "cc";
  public static final String BULK_CREDENTIALS = "cloudcontroller.bulk.credentials";
  /** Pattern matching every partition's HM request subject (not the unpartitioned one). */
  public static final String HM_REQUESTS_ANY_PARTITION = "cloudcontrollers.hm.requests.*";
  /** Pattern matching every partition's bulk-credentials subject (not the unpartitioned one). */
  public static final String BULK_CREDENTIALS_ANY_PARTITION = "cloudcontroller.bulk.credentials.*";

  /** {@code cloudcontrollers.hm.requests[.<partition>]}; a blank partition gives the plain subject. */
  public static String hmRequests(String partition) {
    return partition == null || partition.isBlank()
        ? HM_REQUESTS : HM_REQUESTS + "." + token(partition, "partition");
  }

  /** {@code cloudcontroller.bulk.apps[.<partition>]}; a blank partition gives the plain subject. */
  public static String bulkApps(String partition) {
    return partition == null || partition.isBlank()
        ? BULK_APPS : BULK_APPS + "." + token(partition, "partition");
  }

  public static String bulkCredentials(String partition) {
    return partition == null || partition.isBlank()
        ? BULK_CREDENTIALS : BULK_CREDENTIALS + "." + token(partition, "partition");
  }

  // router (section 6)
  public static final String ROUTER_REGISTER = "router.register";
  public static final String ROUTER_UNREGISTER = "router.unregister";
  public static final String ROUTER_START = "router.start";
  public static final String ROUTER_GREET = "router.greet";
  public static final String ROUTER_ACTIVE_APPS = "router.active_apps";

  // staging (section 7)
  public static final String STAGING = "staging";
  public static final String QUEUE_STAGING = "staging";
  /** Pattern matching every staging task's log subject. */
  public static final String STAGING_LOG_ANY = "staging.*.log";

  /** {@code staging.<task_id>.log}: the lines of one staging task, as they are written. */
  public static String stagingLog(String taskId) {
    return "staging." + token(taskId, "task id") + ".log";
  }

  // app logs (Updraft addition, issue 10)
  /** Pattern matching every app's log subject (and the subjects of the log retention stream). */
  public static final String APP_LOGS_ANY = "logs.*";

  /** Controllers forwarding app lines to log drains: each line goes to one of them. */
  public static final String QUEUE_DRAINS = "drains";

  /** {@code logs.<app_id>}: the stdout, stderr and staging lines of one app, as written. */
  public static String appLogs(String appId) {
    return "logs." + token(appId, "app id");
  }

  // cloud controller events (section 4.7)
  public static final String CC_EVENTS = "vcap.cc.events";

  /**
   * Prefix of the reply subjects requesters subscribe to (the jnats default). Replies are
   * addressed there, so their subject says nothing about their type.
   */
  public static final String INBOX_PREFIX = "_INBOX.";

  // services (section 9): <svc> is the service's bus name, e.g. AuaaS for postgresql
  /** Patterns matching the per-service subjects of every service, for tools that watch the bus. */
  public static final String SERVICE_ANNOUNCE_ANY = "*.announce";
  public static final String SERVICE_PROVISION_ANY = "*.provision.*";
  public static final String SERVICE_UNPROVISION_ANY = "*.unprovision.*";
  public static final String SERVICE_BIND_ANY = "*.bind.*";
  public static final String SERVICE_UNBIND_ANY = "*.unbind.*";

  public static String serviceAnnounce(String busName) {
    return token(busName, "service bus name") + ".announce";
  }

  public static String serviceDiscover(String busName) {
    return token(busName, "service bus name") + ".discover";
  }

  public static String serviceProvision(String busName, String nodeId) {
    return serviceOp(busName, "provision", nodeId);
  }

  public static String serviceUnprovision(String busName, String nodeId) {
    return serviceOp(busName, "unprovision", nodeId);
  }

  public static String serviceBind(String busName, String nodeId) {
    return serviceOp(busName, "bind", nodeId);
  }

  public static String serviceUnbind(String busName, String nodeId) {
    return serviceOp(busName, "unbind", nodeId);
  }

  private static String serviceOp(String busName, String op, String nodeId) {
    return token(busName, "service bus name") + "." + op + "." + token(nodeId, "node id");
  }

  /**
   * A subject token must not contain separators or wildcards: a DEA id of {@code ">"} would
   * otherwise address every subscriber.
   */
  static String token(String value, String what) {
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException(what + " must not be empty");
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '.' || c == '*' || c == '>' || Character.isWhitespace(c)) {
        throw new IllegalArgumentException(what + " is not a valid subject token: " + value);
      }
    }
    return value;
  }

  /**
   * Whether {@code subject} matches the NATS subscription {@code pattern} ({@code *} matches
   * one token, a trailing {@code >} one or more).
   */
  public static boolean matches(String pattern, String subject) {
    String[] p = pattern.split("\\.", -1);
    String[] s = subject.split("\\.", -1);
    for (int i = 0; i < p.length; i++) {
      if (p[i].equals(">")) {
        return i == p.length - 1 && s.length > i;
      }
      if (i >= s.length) {
        return false;
      }
      if (!p[i].equals("*") && !p[i].equals(s[i])) {
        return false;
      }
    }
    return p.length == s.length;
  }
}
