package io.updraft.router.proxy;

import io.netty.buffer.ByteBuf;

/**
 * Where a message body ends (RFC 9112 6.3): after a length, at the end of its chunked coding,
 * or at the connection's close. Fed the bytes as they arrive, it says how many belong to the
 * body and when the body is over, so the router can pass bodies on as they came (chunk
 * framing and trailers included) and know where the next message starts. For a client that
 * cannot take chunks (HTTP/1.0) it reports the data of each chunk instead.
 */
final class BodyFraming {

  /** Receives the data bytes of a chunked body (framing and trailers left out). */
  interface Data {
    void data(ByteBuf in, int index, int length);
  }

  /** Longest chunk-size line (size and extensions) and trailer section accepted. */
  private static final int MAX_LINE = 4096;
  private static final int MAX_TRAILERS = 8192;

  private static final int LENGTH = 1;
  private static final int CHUNKED = 2;
  private static final int UNTIL_CLOSE = 3;

  // chunked states
  private static final int SIZE = 0;
  private static final int SIZE_EXTENSION = 1;
  private static final int SIZE_LF = 2;
  private static final int DATA = 3;
  private static final int DATA_CR = 4;
  private static final int DATA_LF = 5;
  private static final int TRAILER_START = 6;
  private static final int TRAILER_LINE = 7;
  private static final int END_LF = 8;
  private static final int SIZE_SPACE = 9;

  private final int kind;
  private long remaining;
  private int state = SIZE;
  private boolean digits;
  private int lineBytes;
  private int trailerBytes;
  private boolean done;

  private BodyFraming(int kind, long length) {
    this.kind = kind;
    this.remaining = length;
    this.done = kind == LENGTH && length == 0;
  }

  static BodyFraming length(long length) {
    return new BodyFraming(LENGTH, length);
  }

  static BodyFraming chunked() {
    return new BodyFraming(CHUNKED, 0);
  }

  static BodyFraming toTheClose() {
    return new BodyFraming(UNTIL_CLOSE, 0);
  }

  /** The body is complete: what follows is another message. */
  boolean done() {
    return done;
  }

  /** The body ends only when the connection closes. */
  boolean endsAtClose() {
    return kind == UNTIL_CLOSE;
  }

  /**
   * Takes in the readable bytes of {@code in} (its indexes untouched) up to the end of the
   * body; returns how many belong to it. Chunk data is also reported to {@code data} when it
   * is not null.
   *
   * @throws HttpHead.Malformed when the chunked coding is broken (status 400)
   */
  int scan(ByteBuf in, Data data) throws HttpHead.Malformed {
    int from = in.readerIndex();
    int available = in.writerIndex() - from;
    switch (kind) {
      case LENGTH -> {
        int n = (int) Math.min(remaining, available);
        remaining -= n;
        done = remaining == 0;
        return n;
      }
      case UNTIL_CLOSE -> {
        return available;
      }
      default -> {
        return chunks(in, from, from + available, data);
      }
    }
  }

  private int chunks(ByteBuf in, int from, int end, Data data) throws HttpHead.Malformed {
    int i = from;
    while (i < end && !done) {
      if (state == DATA) {
        int n = (int) Math.min(remaining, end - i);
        if (data != null) {
          data.data(in, i, n);
        }
        i += n;
        remaining -= n;
        if (remaining == 0) {
          state = DATA_CR;
        }
        continue;
      }
      byte b = in.getByte(i++);
      switch (state) {
        case SIZE -> size(b);
        case SIZE_SPACE -> {
          if (b == ';') {
            state = SIZE_EXTENSION;
          } else if (b == '\r') {
            state = SIZE_LF;
          } else if (b == '\n') {
            sizeLineEnd();
          } else if (b != ' ' && b != '\t') {
            throw broken();
          }
        }
        case SIZE_EXTENSION -> {
          if (b == '\r') {
            state = SIZE_LF;
          } else if (b == '\n') {
            sizeLineEnd();
          } else if (++lineBytes > MAX_LINE) {
            throw broken();
          }
        }
        case SIZE_LF -> {
          if (b != '\n') {
            throw broken();
          }
          sizeLineEnd();
        }
        case DATA_CR -> {
          if (b == '\r') {
            state = DATA_LF;
          } else if (b == '\n') {
            state = SIZE;
          } else {
            throw broken();
          }
        }
        case DATA_LF -> {
          if (b != '\n') {
            throw broken();
          }
          state = SIZE;
        }
        case TRAILER_START -> {
          if (b == '\r') {
            state = END_LF;
          } else if (b == '\n') {
            done = true;
          } else {
            state = TRAILER_LINE;
            trailer();
          }
        }
        case TRAILER_LINE -> {
          if (b == '\n') {
            state = TRAILER_START;
          }
          trailer();
        }
        case END_LF -> {
          if (b != '\n') {
            throw broken();
          }
          done = true;
        }
        default -> throw broken();
      }
    }
    return i - from;
  }

  private void size(byte b) throws HttpHead.Malformed {
    int d = Character.digit(b, 16);
    if (d >= 0) {
      if (remaining > (Long.MAX_VALUE >> 5)) {
        throw broken();
      }
      remaining = remaining * 16 + d;
      digits = true;
      if (++lineBytes > MAX_LINE) {
        throw broken();
      }
      return;
    }
    if (!digits) {
      throw broken();
    }
    switch (b) {
      case ';' -> state = SIZE_EXTENSION;
      case ' ', '\t' -> state = SIZE_SPACE;
      case '\r' -> state = SIZE_LF;
      case '\n' -> sizeLineEnd();
      default -> throw broken();
    }
  }

  private void sizeLineEnd() {
    digits = false;
    lineBytes = 0;
    state = remaining == 0 ? TRAILER_START : DATA;
  }

  private void trailer() throws HttpHead.Malformed {
    if (++trailerBytes > MAX_TRAILERS) {
      throw broken();
    }
  }

  private static HttpHead.Malformed broken() {
    return new HttpHead.Malformed(400, "the chunked body is malformed");
  }
}
