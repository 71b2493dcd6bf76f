package io.updraft.servicesnode.backend;

import io.updraft.common.protocol.services.ServiceType;
import io.updraft.servicesnode.store.InstanceRecord;
import java.util.Map;

/**
 * The server behind one service type: what provisioning, binding and their reverses do there.
 * Every method blocks (JDBC, sockets, files) and is called on the type's own worker thread,
 * one operation at a time. A method that fails leaves nothing behind that it created.
 *
 * <p>Credentials returned are secret: they go back to the controller and into the node's
 * store, never into a log.
 */
public interface Backend {

  ServiceType type();

  /** The server's version for announcements ({@code 15}, {@code 10.11}, {@code 7.0}). */
  String detectVersion() throws Exception;

  /** Fails when the server cannot be administered right now. */
  void check() throws Exception;

  /**
   * What identifies the running server process, for backends that {@link #restore} after a
   * server restart (Redis's {@code run_id}); null when restarts need nothing.
   */
  default String serverRunId() throws Exception {
    return null;
  }

  /**
   * Creates instance {@code id} and returns its credentials: {@code name} (= id), host, port,
   * user, password and a {@code uri} where the type has one.
   */
  Map<String, Object> provision(String id) throws Exception;

  /** Creates credentials of their own for one app on the instance. */
  Map<String, Object> bind(InstanceRecord instance) throws Exception;

  /** Revokes one binding's credentials; its sessions end. */
  void unbind(InstanceRecord instance, Map<String, Object> binding) throws Exception;

  /** Deletes the instance's data and every credential of it. */
  void unprovision(InstanceRecord instance) throws Exception;

  /**
   * Re-applies what the server may have forgotten since the records were written (Redis ACL
   * users do not survive a server restart without an ACL file). Idempotent.
   */
  default void restore(InstanceRecord instance) throws Exception {
  }

  /** The key a binding is stored and found under: its user, else its {@code binding_id}. */
  static String bindingKey(Map<String, Object> credentials) {
    Object user = credentials.get("user");
    Object id = user != null ? user : credentials.get("binding_id");
    return id == null ? null : id.toString();
  }
}
