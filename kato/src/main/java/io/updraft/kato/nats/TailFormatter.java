package io.updraft.kato.nats;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.updraft.common.protocol.DecodeException;
import io.updraft.common.protocol.Json;
import io.updraft.common.protocol.MessageCatalog;
import io.updraft.common.protocol.WireMessage;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Turns one bus message into one line for {@code kato nats tail}: time, subject, reply subject,
 * the protocol type the message decodes as, and its JSON on one line.
 *
 * <pre>
 * 21:40:01.123 dea.heartbeat Heartbeat {"dea":"0-9a1f…","droplets":[…]}
 * 21:40:02.004 dea.discover → _INBOX.x1 DeaDiscoverRequest {"droplet":"42",…}
 * 21:40:02.010 _INBOX.x1 (reply to dea.discover) {"id":"0-9a1f…",…}
 * 21:40:03.500 dea.advertise DeaAdvertise !malformed(missing required field 'id') {"x":1}
 * </pre>
 *
 * It shows the payload as sent (not re-encoded), so fields a newer peer added are visible.
 * Replies are labelled with the subject of the request they answer when that request was
 * seen. Not thread-safe: one formatter per tail.
 */
public final class TailFormatter {

  public enum Style { LINE, PRETTY, JSON, RAW }

  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");
  private static final int REMEMBERED_REQUESTS = 10_000;
  private static final String DIM = "\u001b[2m";
  private static final String BOLD = "\u001b[1m";
  private static final String CYAN = "\u001b[36m";
  private static final String RED = "\u001b[31m";
  private static final String RESET = "\u001b[0m";

  private final Style style;
  private final boolean color;
  private final ZoneId zone;
  /** reply subject -> subject of the request that asked for it (bounded, oldest evicted). */
  private final Map<String, String> requests = new LinkedHashMap<>(256, 0.75f, false) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
      return size() > REMEMBERED_REQUESTS;
    }
  };

  public TailFormatter(Style style, boolean color, ZoneId zone) {
    this.style = style;
    this.color = color && style != Style.JSON && style != Style.RAW;
    this.zone = zone;
  }

  public String format(Instant time, String subject, String replyTo, byte[] payload) {
    if (replyTo != null && !replyTo.isEmpty()) {
      requests.put(replyTo, subject);
    }
    String answered = requests.get(subject);
    Optional<Class<? extends WireMessage>> type = MessageCatalog.typeFor(subject);
    String problem = type.map(t -> check(payload, t)).orElse(null);
    String typeName = type.map(Class::getSimpleName).orElse(null);
    String when = TIME.format(time.atZone(zone));
    String text = new String(payload, StandardCharsets.UTF_8);

    if (style == Style.JSON) {
      ObjectNode line = Json.mapper().createObjectNode();
      line.put("time", time.toString());
      line.put("subject", subject);
      line.put("reply", replyTo == null || replyTo.isEmpty() ? null : replyTo);
      if (answered != null) {
        line.put("reply_to_request", answered);
      }
      line.put("type", typeName);
      if (problem != null) {
        line.put("malformed", problem);
      }
      JsonNode body = parse(payload);
      if (body != null) {
        line.set("message", body);
      } else {
        line.put("payload", text);
      }
      return line.toString();
    }

    StringBuilder sb = new StringBuilder();
    sb.append(paint(DIM, when)).append(' ').append(paint(BOLD, subject));
    if (replyTo != null && !replyTo.isEmpty()) {
      sb.append(" \u2192 ").append(replyTo);
    }
    if (answered != null) {
      sb.append(' ').append(paint(DIM, "(reply to " + answered + ")"));
    }
    if (typeName != null) {
      sb.append(' ').append(paint(CYAN, typeName));
    }
    if (problem != null) {
      sb.append(' ').append(paint(RED, "!malformed(" + problem + ")"));
    }
    sb.append(' ').append(body(payload, text));
    return sb.toString();
  }

  private String body(byte[] payload, String text) {
    if (style == Style.RAW) {
      return text;
    }
    JsonNode node = parse(payload);
    if (node == null) {
      return text.isEmpty() ? "(empty)" : text;
    }
    return style == Style.PRETTY ? node.toPrettyString() : node.toString();
  }

  private static String check(byte[] payload, Class<? extends WireMessage> type) {
    if (type == io.updraft.common.protocol.Empty.class) {
      return null;
    }
    try {
      Json.decode(payload, type);
      return null;
    } catch (DecodeException e) {
      return e.getMessage();
    }
  }

  private static JsonNode parse(byte[] payload) {
    if (payload == null || payload.length == 0) {
      return null;
    }
    try {
      return Json.tree(payload);
    } catch (DecodeException e) {
      return null;
    }
  }

  private String paint(String code, String text) {
    return color ? code + text + RESET : text;
  }
}
