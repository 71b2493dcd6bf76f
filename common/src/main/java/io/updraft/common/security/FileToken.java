package io.updraft.common.security;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.updraft.common.protocol.Json;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Short-lived, signed permission to read one instance's files, minted by the controller and
 * checked by the DEA's file server with the secret they share ({@code files.secret} in both
 * configs). It lives in {@code common} because both sides must agree on it byte for byte.
 *
 * <p>Format: {@code <payload>.<signature>} where
 * <ul>
 *   <li>{@code payload} = base64url without padding of the UTF-8 JSON
 *       {@code {"instance":"<32-hex instance id>","path":"/logs","exp":<unix seconds>}};
 *       {@code path} is the prefix (relative to the instance directory, starting with
 *       {@code /}; {@code "/"} for everything) the token opens, matched on whole segments;</li>
 *   <li>{@code signature} = base64url without padding of HMAC-SHA256(key = the secret's UTF-8
 *       bytes, message = the ASCII bytes of {@code payload} exactly as sent).</li>
 * </ul>
 * The DEA refuses a token that is expired, or whose {@code exp} lies further ahead than
 * {@code files.token_max_ttl_s} (so a leaked token cannot be long-lived). It is sent as
 * {@code Authorization: Bearer <token>} or as the query parameter {@code token}.
 *
 * <p>Immutable and thread-safe.
 */
public final class FileToken {

  /** What a valid token grants. */
  public record Claims(
      @JsonProperty("instance") String instance,
      @JsonProperty("path") String path,
      @JsonProperty("exp") long exp) {

    /** Whether {@code relativePath} ({@code /logs/stdout.log}) lies under this token's prefix. */
    public boolean covers(String relativePath) {
      String prefix = path.endsWith("/") ? path : path + "/";
      String p = relativePath.endsWith("/") ? relativePath : relativePath + "/";
      return p.startsWith(prefix);
    }
  }

  /** A token that does not grant anything; the message says why (never echoes the token). */
  public static final class InvalidTokenException extends Exception {
    public InvalidTokenException(String message) {
      super(message);
    }
  }

  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder B64D = Base64.getUrlDecoder();

  private final byte[] secret;
  private final long maxTtlSeconds;

  public FileToken(String secret, long maxTtlSeconds) {
    this.secret = secret.getBytes(StandardCharsets.UTF_8);
    this.maxTtlSeconds = maxTtlSeconds;
  }

  public String mint(String instanceId, String pathPrefix, long expEpochSeconds) {
    String payload = B64.encodeToString(Json.encode(new Claims(instanceId,
        normalizePrefix(pathPrefix), expEpochSeconds)));
    return payload + "." + B64.encodeToString(hmac(payload));
  }

  public Claims verify(String token, long nowEpochSeconds) throws InvalidTokenException {
    if (token == null || token.isEmpty()) {
      throw new InvalidTokenException("no token");
    }
    int dot = token.indexOf('.');
    if (dot <= 0 || dot != token.lastIndexOf('.')) {
      throw new InvalidTokenException("malformed token");
    }
    String payload = token.substring(0, dot);
    byte[] given;
    try {
      given = B64D.decode(token.substring(dot + 1));
    } catch (IllegalArgumentException e) {
      throw new InvalidTokenException("malformed signature");
    }
    if (!MessageDigest.isEqual(hmac(payload), given)) {
      throw new InvalidTokenException("bad signature");
    }
    Claims claims;
    try {
      claims = Json.decode(B64D.decode(payload), Claims.class);
    } catch (RuntimeException e) {
      throw new InvalidTokenException("malformed payload");
    }
    if (claims.instance() == null || claims.path() == null || !claims.path().startsWith("/")) {
      throw new InvalidTokenException("incomplete claims");
    }
    if (claims.exp() <= nowEpochSeconds) {
      throw new InvalidTokenException("expired");
    }
    if (claims.exp() > nowEpochSeconds + maxTtlSeconds) {
      throw new InvalidTokenException("lifetime longer than " + maxTtlSeconds + " s");
    }
    return claims;
  }

  private static String normalizePrefix(String prefix) {
    if (prefix == null || prefix.isEmpty()) {
      return "/";
    }
    return prefix.startsWith("/") ? prefix : "/" + prefix;
  }

  private byte[] hmac(String payload) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      return mac.doFinal(payload.getBytes(StandardCharsets.US_ASCII));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is required of every JVM", e);
    }
  }
}
