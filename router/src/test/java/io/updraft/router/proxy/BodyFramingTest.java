package io.updraft.router.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class BodyFramingTest {

  private static ByteBuf bytes(String s) {
    return Unpooled.copiedBuffer(s, StandardCharsets.ISO_8859_1);
  }

  @Test
  void aLengthEndsTheBodyAndLeavesTheNextMessage() throws Exception {
    BodyFraming f = BodyFraming.length(5);
    ByteBuf in = bytes("hel");
    assertThat(f.scan(in, null)).isEqualTo(3);
    assertThat(f.done()).isFalse();
    assertThat(f.scan(bytes("loGET /"), null)).isEqualTo(2);
    assertThat(f.done()).isTrue();
  }

  @Test
  void aChunkedBodyEndsAfterItsTrailersWhateverTheReadBoundaries() throws Exception {
    String body = "5;ext=1\r\nhello\r\n1A\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\nX-T: 1\r\n\r\n";
    String next = "GET / HTTP/1.1\r\n";
    for (int split = 1; split < body.length(); split++) {
      BodyFraming f = BodyFraming.chunked();
      StringBuilder data = new StringBuilder();
      BodyFraming.Data sink = (in, index, length) ->
          data.append(in.toString(index, length, StandardCharsets.ISO_8859_1));
      int first = f.scan(bytes(body.substring(0, split)), sink);
      assertThat(first).isEqualTo(split);
      assertThat(f.done()).isFalse();
      int second = f.scan(bytes(body.substring(split) + next), sink);
      assertThat(second).as("split at %d", split).isEqualTo(body.length() - split);
      assertThat(f.done()).isTrue();
      assertThat(data.toString()).isEqualTo("helloabcdefghijklmnopqrstuvwxyz");
    }
  }

  @Test
  void brokenChunkFramingIsRefused() {
    for (String bad : new String[] {"zz\r\n", "5\r\nhelloX", "\r\n", "5\rX",
        "fffffffffffffffffff\r\n", "0\r\n\rX"}) {
      assertThatThrownBy(() -> BodyFraming.chunked().scan(bytes(bad), null)).as(bad)
          .isInstanceOf(HttpHead.Malformed.class);
    }
  }

  @Test
  void aBodyToTheCloseTakesEverything() throws Exception {
    BodyFraming f = BodyFraming.toTheClose();
    assertThat(f.scan(bytes("anything at all"), null)).isEqualTo(15);
    assertThat(f.done()).isFalse();
    assertThat(f.endsAtClose()).isTrue();
  }

  /** Random bytes fed in random pieces: each piece is taken up to the end, or refused. */
  @Test
  void anyChunkedInputIsTakenOrRefusedNeverAnError() {
    java.util.Random random = new java.util.Random(5);
    byte[] alphabet = "0123456789abcdefABCDEF;= \t\r\nxX:".getBytes(StandardCharsets.ISO_8859_1);
    for (int round = 0; round < 20_000; round++) {
      BodyFraming f = BodyFraming.chunked();
      byte[] input = new byte[random.nextInt(120)];
      for (int k = 0; k < input.length; k++) {
        input[k] = alphabet[random.nextInt(alphabet.length)];
      }
      int at = 0;
      try {
        while (at < input.length && !f.done()) {
          int piece = 1 + random.nextInt(input.length - at);
          int taken = f.scan(Unpooled.wrappedBuffer(input, at, piece), (in, i, n) -> {
            assertThat(n).isPositive();
          });
          assertThat(taken).isBetween(0, piece);
          assertThat(taken == piece || f.done()).isTrue();
          at += taken;
          if (taken < piece) {
            break;
          }
        }
      } catch (HttpHead.Malformed e) {
        assertThat(e.status).isEqualTo(400);
      }
    }
  }
}
