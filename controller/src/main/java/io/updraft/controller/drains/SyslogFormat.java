package io.updraft.controller.drains;

import io.updraft.common.protocol.logs.AppLogLine;
import io.updraft.common.protocol.logs.LogSource;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * One app log line as an RFC 5424 syslog message, framed for TCP by octet counting (RFC 6587
 * 3.4.1), the form Papertrail, Loggly and rsyslog's {@code imtcp} accept:
 *
 * <pre>68 &lt;14&gt;1 2026-11-25T01:02:03.456Z example.com blog 0 stdout - GET / 200</pre>
 *
 * <p>PRI is facility user (1) with severity informational (6) for stdout and staging lines and
 * error (3) for stderr. HOSTNAME is the cloud's domain, APP-NAME the app's name, PROCID the
 * instance index ({@code -} for staging), MSGID the source ({@code stdout}, {@code stderr},
 * {@code staging}); no structured data. Header fields hold printable US-ASCII only (others
 * become {@code _}) and are cut to the RFC's lengths; the message is UTF-8 without a BOM.
 */
public final class SyslogFormat {

  static final int FACILITY_USER = 1;
  static final int SEVERITY_ERROR = 3;
  static final int SEVERITY_INFO = 6;
  private static final DateTimeFormatter TIMESTAMP =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSXXX").withZone(ZoneOffset.UTC);
  private static final String NIL = "-";

  private SyslogFormat() {
  }

  /** The RFC 5424 message (without framing). */
  public static String message(AppLogLine line, String host, String appName) {
    int severity = line.source() == LogSource.STDERR ? SEVERITY_ERROR : SEVERITY_INFO;
    return "<" + (FACILITY_USER * 8 + severity) + ">1 "
        + TIMESTAMP.format(Instant.ofEpochMilli(line.timestamp())) + " "
        + field(host, 255) + " "
        + field(appName, 48) + " "
        + field(line.index() == null ? null : String.valueOf(line.index()), 128) + " "
        + field(line.source().wire(), 32) + " "
        + NIL + " "
        + line.line();
  }

  /** {@code MSG-LEN SP SYSLOG-MSG}: the length counts the message's UTF-8 bytes. */
  public static byte[] frame(String message) {
    byte[] body = message.getBytes(StandardCharsets.UTF_8);
    byte[] prefix = (body.length + " ").getBytes(StandardCharsets.US_ASCII);
    byte[] out = new byte[prefix.length + body.length];
    System.arraycopy(prefix, 0, out, 0, prefix.length);
    System.arraycopy(body, 0, out, prefix.length, body.length);
    return out;
  }

  /** A header field: printable US-ASCII (33-126), at most {@code max} characters, or NIL. */
  static String field(String value, int max) {
    if (value == null || value.isEmpty()) {
      return NIL;
    }
    StringBuilder out = new StringBuilder(Math.min(value.length(), max));
    for (int i = 0; i < value.length() && out.length() < max; i++) {
      char c = value.charAt(i);
      out.append(c >= 33 && c <= 126 ? c : '_');
    }
    return out.toString();
  }
}
