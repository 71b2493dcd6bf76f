package io.updraft.dea.responders;

import io.updraft.common.protocol.dea.DeaHello;
import java.util.List;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * Who this DEA is on the bus: its uuid, the address apps and its file server are reached at,
 * the file-server port and credentials (known once the server listens), and its prod flag.
 */
public record DeaIdentity(String id, String host, IntSupplier filesPort,
    Supplier<List<String>> filesCredentials, boolean prod) {

  /** The DEA version v1 DEAs announced (0.99). */
  public static final double VERSION = 0.99;

  public DeaHello hello() {
    return new DeaHello(id, host, filesPort.getAsInt(), VERSION);
  }

  public String fileUri() {
    return "http://" + host + ":" + filesPort.getAsInt() + "/droplets/";
  }
}
