package io.updraft.dea.droplet;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;

/** Builds droplet tarballs in memory for tests, bad ones included. */
public final class TarBuilder {

  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final TarArchiveOutputStream tar;

  public TarBuilder() {
    try {
      tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(bytes));
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public TarBuilder file(String name, String content, int mode) {
    byte[] data = content.getBytes(StandardCharsets.UTF_8);
    TarArchiveEntry e = new TarArchiveEntry(name, true);
    e.setSize(data.length);
    e.setMode(0100000 | mode);
    try {
      tar.putArchiveEntry(e);
      tar.write(data);
      tar.closeArchiveEntry();
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
    return this;
  }

  public TarBuilder file(String name, String content) {
    return file(name, content, 0644);
  }

  public TarBuilder dir(String name) {
    TarArchiveEntry e = new TarArchiveEntry(name.endsWith("/") ? name : name + "/", true);
    e.setMode(040755);
    try {
      tar.putArchiveEntry(e);
      tar.closeArchiveEntry();
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
    return this;
  }

  public TarBuilder symlink(String name, String target) {
    TarArchiveEntry e = new TarArchiveEntry(name, TarArchiveEntry.LF_SYMLINK, true);
    e.setLinkName(target);
    try {
      tar.putArchiveEntry(e);
      tar.closeArchiveEntry();
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
    return this;
  }

  public byte[] build() {
    try {
      tar.finish();
      tar.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /** A web app: {@code startup} serves {@code app/} with python3's http.server on $PORT. */
  public static byte[] pythonWebApp(String greeting) {
    return new TarBuilder()
        .file("startup", "#!/bin/sh\n"
            + "echo \"starting on port $2 as $VCAP_APP_PORT\"\n"
            + "cd app\n"
            + "exec python3 -m http.server \"$2\" --bind \"$VCAP_APP_HOST\"\n", 0755)
        .file("stop", "#!/bin/sh\nkill \"$1\"\n", 0755)
        .dir("app")
        .file("app/index.html", greeting)
        .dir("logs")
        .dir("tmp")
        .build();
  }

  /** An app that runs but never opens its port. */
  public static byte[] silentApp() {
    return new TarBuilder()
        .file("startup", "#!/bin/sh\necho never listening\nexec sleep 600\n", 0755)
        .dir("app")
        .build();
  }
}
