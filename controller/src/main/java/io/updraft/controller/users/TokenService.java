package io.updraft.controller.users;

import io.updraft.common.protocol.Json;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Login tokens: {@code base64url({"email":…,"exp":…}) "." base64url(HMAC-SHA256)}. Opaque to
 * clients (CF v1 tokens were too); every controller sharing the database shares the key, so any
 * of them verifies any token.
 */
public final class TokenService {

  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  private final byte[] key;
  private final Duration lifetime;
  private final Clock clock;

  public TokenService(byte[] key, Duration lifetime, Clock clock) {
    this.key = key.clone();
    this.lifetime = lifetime;
    this.clock = clock;
  }

  public String issue(String email) {
    long exp = clock.instant().plus(lifetime).getEpochSecond();
    String payload = B64.encodeToString(Json.encode(Map.of("email", email, "exp", exp)));
    return payload + "." + B64.encodeToString(mac(payload));
  }

  /** The e-mail a valid, unexpired token was issued to. */
  public Optional<String> verify(String token) {
    if (token == null) {
      return Optional.empty();
    }
    int dot = token.indexOf('.');
    if (dot <= 0 || dot == token.length() - 1) {
      return Optional.empty();
    }
    String payload = token.substring(0, dot);
    byte[] given;
    try {
      given = Base64.getUrlDecoder().decode(token.substring(dot + 1));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    if (!MessageDigest.isEqual(given, mac(payload))) {
      return Optional.empty();
    }
    try {
      var claims = Json.tree(Base64.getUrlDecoder().decode(payload));
      if (claims.path("exp").asLong(0) < clock.instant().getEpochSecond()) {
        return Optional.empty();
      }
      String email = claims.path("email").asText(null);
      return Optional.ofNullable(email);
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  private byte[] mac(String payload) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(payload.getBytes(StandardCharsets.US_ASCII));
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }
}
