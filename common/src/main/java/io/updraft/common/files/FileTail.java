package io.updraft.common.files;

import io.updraft.common.protocol.logs.AppLogLine;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Follows one log file the way {@code tail -F} does: each {@link #read} returns the complete
 * lines appended since the last one. A file that shrank was truncated and is read again from
 * its start; a file with another identity (inode) was rotated and is read from its start; a
 * missing file is waited for. Lines are cut at {@link AppLogLine#MAX_LINE_CHARS}; a line still
 * unterminated past that is emitted cut and the rest of it skipped. When more than
 * {@code maxBacklogBytes} are unread (an app writing faster than lines are streamed), the
 * oldest of them are skipped and reported, so one read never takes long.
 *
 * <p>Blocking (file I/O): call it from a worker, one call at a time.
 */
public final class FileTail {

  /** A line longer than this many bytes cannot fit {@link AppLogLine#MAX_LINE_CHARS} anyway. */
  static final int MAX_LINE_BYTES = AppLogLine.MAX_LINE_CHARS * 4;
  private static final int CHUNK = 64 * 1024;

  /** What one read found: lines in order, and how many bytes were skipped before them. */
  public record Chunk(List<String> lines, long skippedBytes) {
    public static final Chunk EMPTY = new Chunk(List.of(), 0);
  }

  private final Path file;
  /** When set: the file is {@code segments} under this root, opened race-free, no links. */
  private final Path root;
  private final List<String> segments;
  private final ByteArrayOutputStream partial = new ByteArrayOutputStream();
  private long offset;
  private Object fileKey;
  private boolean discarding;
  private boolean started;
  private final boolean fromEnd;

  /**
   * @param fromEnd start at the file's current end (an adopted instance whose lines were
   *     streamed by an earlier DEA process) rather than at its start
   */
  public FileTail(Path file, boolean fromEnd) {
    this.file = file;
    this.root = null;
    this.segments = List.of();
    this.fromEnd = fromEnd;
  }

  /**
   * A file under a directory that someone hostile owns (an app's {@code logs/}): opened through
   * {@link ConfinedFiles}, so a symlink put in place of the file or a directory on the way is
   * never followed (it reads as no file at all).
   */
  public FileTail(Path root, List<String> segments, boolean fromEnd) {
    Path f = root;
    for (String s : segments) {
      f = f.resolve(s);
    }
    this.file = f;
    this.root = root;
    this.segments = List.copyOf(segments);
    this.fromEnd = fromEnd;
  }

  public Path file() {
    return file;
  }

  /**
   * Reads what was appended since the last call.
   *
   * @param flush also return an unterminated last line (the writer is gone)
   */
  public Chunk read(int maxBacklogBytes, boolean flush) throws IOException {
    if (root == null) {
      BasicFileAttributes attrs;
      try {
        attrs = Files.readAttributes(file, BasicFileAttributes.class);
      } catch (NoSuchFileException e) {
        return flush ? new Chunk(flushPartial(new ArrayList<>()), 0) : Chunk.EMPTY;
      }
      return read(attrs, () -> FileChannel.open(file, StandardOpenOption.READ), true,
          maxBacklogBytes, flush);
    }
    ConfinedFiles.Opened opened;
    try {
      opened = ConfinedFiles.open(root, segments);
    } catch (NoSuchFileException | ConfinedFiles.Refused e) {
      return flush ? new Chunk(flushPartial(new ArrayList<>()), 0) : Chunk.EMPTY;
    }
    try (opened) {
      if (opened.isDirectory()) {
        return flush ? new Chunk(flushPartial(new ArrayList<>()), 0) : Chunk.EMPTY;
      }
      FileChannel channel = (FileChannel) opened.file();
      return read(opened.attributes(), () -> channel, false, maxBacklogBytes, flush);
    }
  }

  /** How the file's content is reached once there is something to read. */
  private interface Opener {
    FileChannel open() throws IOException;
  }

  private Chunk read(BasicFileAttributes attrs, Opener opener, boolean closeAfter,
      int maxBacklogBytes, boolean flush) throws IOException {
    long size = attrs.size();
    Object key = attrs.fileKey();
    if (!started) {
      started = true;
      fileKey = key;
      offset = fromEnd ? size : 0;
    } else if (!Objects.equals(key, fileKey) || size < offset) {
      // rotated (a new file under the name) or truncated: its content starts over
      fileKey = key;
      offset = 0;
      partial.reset();
      discarding = false;
    }
    long skipped = 0;
    if (size - offset > maxBacklogBytes) {
      skipped = size - maxBacklogBytes - offset;
      offset = size - maxBacklogBytes;
      // we land mid-line: what precedes the next line break belongs to a skipped line
      skipped += partial.size();
      partial.reset();
      discarding = true;
    }
    List<String> lines = new ArrayList<>();
    if (size > offset) {
      FileChannel channel = opener.open();
      try {
        ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(CHUNK, size - offset));
        while (offset < size) {
          buffer.clear();
          buffer.limit((int) Math.min(buffer.capacity(), size - offset));
          int n = channel.read(buffer, offset);
          if (n <= 0) {
            break;
          }
          offset += n;
          scan(buffer.array(), n, lines);
        }
      } finally {
        if (closeAfter) {
          channel.close();
        }
      }
    }
    if (flush) {
      flushPartial(lines);
    }
    return new Chunk(lines, skipped);
  }

  private void scan(byte[] bytes, int length, List<String> lines) {
    int start = 0;
    for (int i = 0; i < length; i++) {
      if (bytes[i] == '\n') {
        append(bytes, start, i - start);
        if (!discarding) {
          lines.add(line());
        }
        discarding = false;
        partial.reset();
        start = i + 1;
      }
    }
    append(bytes, start, length - start);
    if (!discarding && partial.size() >= MAX_LINE_BYTES) {
      // an endless line: show its start, skip the rest up to its line break
      lines.add(line());
      partial.reset();
      discarding = true;
    }
  }

  private void append(byte[] bytes, int from, int count) {
    if (discarding || count <= 0) {
      return;
    }
    partial.write(bytes, from, Math.min(count, MAX_LINE_BYTES - partial.size()));
  }

  private List<String> flushPartial(List<String> lines) {
    if (!discarding && partial.size() > 0) {
      lines.add(line());
    }
    partial.reset();
    discarding = false;
    return lines;
  }

  private String line() {
    String text = partial.toString(StandardCharsets.UTF_8);
    if (text.endsWith("\r")) {
      text = text.substring(0, text.length() - 1);
    }
    return cut(text);
  }

  /** At most {@link AppLogLine#MAX_LINE_CHARS} characters, marked with an ellipsis when cut. */
  static String cut(String text) {
    if (text.length() <= AppLogLine.MAX_LINE_CHARS) {
      return text;
    }
    int end = AppLogLine.MAX_LINE_CHARS - 1;
    if (Character.isHighSurrogate(text.charAt(end - 1))) {
      end--;
    }
    return text.substring(0, end) + "…";
  }
}
