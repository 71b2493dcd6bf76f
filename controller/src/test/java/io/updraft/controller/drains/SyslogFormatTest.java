package io.updraft.controller.drains;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.updraft.common.protocol.logs.AppLogLine;
import io.updraft.common.protocol.logs.LogSource;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** RFC 5424 messages and RFC 6587 octet counting, and the drain URLs accepted. */
class SyslogFormatTest {

  /**
   * The header grammar of RFC 5424 section 6 (PRI VERSION SP TIMESTAMP SP HOSTNAME SP APP-NAME
   * SP PROCID SP MSGID SP STRUCTURED-DATA [SP MSG]), as a pattern.
   */
  private static final Pattern RFC5424 = Pattern.compile("<(\\d{1,3})>1 "
      + "(\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,6})?(Z|[+-]\\d{2}:\\d{2})) "
      + "([!-~]{1,255}) ([!-~]{1,48}) ([!-~]{1,128}) ([!-~]{1,32}) (-|\\[.*\\])( (.*))?",
      Pattern.DOTALL);

  private static AppLogLine line(Integer index, LogSource source, String text) {
    return new AppLogLine("42", "inst", index, source, text, 1_764_032_523_456L);
  }

  @Test
  void stdoutIsUserInfoWithIndexAndSource() {
    String m = SyslogFormat.message(line(0, LogSource.STDOUT, "GET / 200"), "example.com",
        "blog");
    assertThat(m).isEqualTo("<14>1 2025-11-25T01:02:03.456Z example.com blog 0 stdout - GET / 200");
    var match = RFC5424.matcher(m);
    assertThat(match.matches()).isTrue();
    assertThat(match.group(1)).isEqualTo("14"); // facility user (1) * 8 + informational (6)
    assertThat(match.group(11)).isEqualTo("GET / 200");
  }

  @Test
  void stderrIsUserErrorAndStagingHasNoProcId() {
    assertThat(SyslogFormat.message(line(3, LogSource.STDERR, "boom"), "example.com", "blog"))
        .startsWith("<11>1 ").contains(" blog 3 stderr - boom");
    String staging = SyslogFormat.message(line(null, LogSource.STAGING, "Installing"),
        "example.com", "blog");
    assertThat(staging).isEqualTo(
        "<14>1 2025-11-25T01:02:03.456Z example.com blog - staging - Installing");
    assertThat(RFC5424.matcher(staging).matches()).isTrue();
  }

  @Test
  void headerFieldsArePrintableAsciiWithinTheirLengths() {
    String longName = "a".repeat(60);
    String m = SyslogFormat.message(line(0, LogSource.STDOUT, "x"), "host name", longName);
    var match = RFC5424.matcher(m);
    assertThat(match.matches()).isTrue();
    assertThat(match.group(5)).isEqualTo("host_name");
    assertThat(match.group(6)).hasSize(48);
    assertThat(SyslogFormat.field("", 10)).isEqualTo("-");
    assertThat(SyslogFormat.field("é\tx", 10)).isEqualTo("__x");
  }

  @Test
  void octetCountingCountsUtf8Bytes() {
    String m = SyslogFormat.message(line(0, LogSource.STDOUT, "café ☕"), "h", "a");
    byte[] framed = SyslogFormat.frame(m);
    String text = new String(framed, StandardCharsets.UTF_8);
    int space = text.indexOf(' ');
    int length = Integer.parseInt(text.substring(0, space));
    assertThat(length).isEqualTo(m.getBytes(StandardCharsets.UTF_8).length)
        .isGreaterThan(m.length());
    assertThat(framed.length).isEqualTo(space + 1 + length);
    assertThat(text.substring(space + 1)).isEqualTo(m);
  }

  @Test
  void rfc5424ExampleShapesMatchTheGrammar() {
    // the examples of RFC 5424 section 6.5 (without structured data or with it) match the
    // pattern the formatter's output is held to
    assertThat(RFC5424.matcher("<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47"
        + " - 'su root' failed for lonvick on /dev/pts/8").matches()).isTrue();
    assertThat(RFC5424.matcher("<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710"
        + " - - %% It's time to make the do-nuts.").matches()).isTrue();
    assertThat(RFC5424.matcher("<14>1 2003-08-24 05:14:15 host app - - - x").matches())
        .isFalse();
  }

  @Test
  void drainUrlsAreSyslogWithHostAndPort() {
    assertThat(DrainUrl.parse("syslog://logs.example.com:514"))
        .isEqualTo(new DrainUrl(false, "logs.example.com", 514));
    assertThat(DrainUrl.parse("syslog-tls://logs5.papertrailapp.com:12345/").tls()).isTrue();
    assertThat(DrainUrl.parse("SYSLOG://[::1]:514").toString()).isEqualTo("syslog://[::1]:514");
    assertThatThrownBy(() -> DrainUrl.parse("https://logs.example.com:514"))
        .hasMessageContaining("unsupported drain scheme 'https'");
    assertThatThrownBy(() -> DrainUrl.parse("syslog://logs.example.com"))
        .hasMessageContaining("needs a port");
    assertThatThrownBy(() -> DrainUrl.parse("syslog://:514")).hasMessageContaining("no host");
    assertThatThrownBy(() -> DrainUrl.parse("syslog://u:p@h.example.com:514"))
        .hasMessageContaining("user info");
    assertThatThrownBy(() -> DrainUrl.parse("syslog://h.example.com:514/x?y"))
        .hasMessageContaining("no path or query");
    assertThatThrownBy(() -> DrainUrl.parse("syslog://h.example.com:99999"))
        .hasMessageContaining("needs a port");
    assertThatThrownBy(() -> DrainUrl.parse(" ")).hasMessageContaining("needs a URL");
    assertThatThrownBy(() -> DrainUrl.parse("syslog://bad host:514"))
        .hasMessageContaining("malformed");
  }
}
