package io.updraft.common.component;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.HexFormat;

/**
 * Who a component is on the bus: its kind, index and uuid ({@code <index>-<32 hex>}, the CF v1
 * form; a DEA's id is its uuid), the address others reach it at, and when it started.
 */
public record ComponentIdentity(String type, int index, String uuid, String localIp,
    Instant startedAt) {

  private static final SecureRandom RANDOM = new SecureRandom();

  public static ComponentIdentity create(String type, int index, String localIp) {
    return new ComponentIdentity(type, index, index + "-" + secureId(), localIp, Instant.now());
  }

  /** 32 lowercase hex characters from 16 random bytes (CF v1 {@code VCAP.secure_uuid}). */
  public static String secureId() {
    byte[] bytes = new byte[16];
    RANDOM.nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }
}
