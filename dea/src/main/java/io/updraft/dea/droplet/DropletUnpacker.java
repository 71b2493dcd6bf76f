package io.updraft.dea.droplet;

import io.updraft.common.archive.SafeExtractor;
import io.updraft.common.archive.UnreadableArchiveException;
import io.updraft.common.archive.UnsafeArchiveException;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Unpacks a droplet into an instance directory with common's {@link SafeExtractor}, held to
 * the instance's disk quota: a droplet that cannot fit the quota it will run under fails the
 * start at once rather than the app later. A refusal is an {@link UnsafeArchiveException}
 * naming the entry (it becomes the crash reason); an {@link UnreadableArchiveException} means
 * the cached copy went bad. Blocking.
 */
public final class DropletUnpacker {

  private static final long MB = 1024L * 1024L;

  private DropletUnpacker() {
  }

  public static void unpack(Path tarGz, Path instanceDir, long diskQuotaMb) throws IOException {
    SafeExtractor.untarGz(tarGz, instanceDir, SafeExtractor.Limits.of(diskQuotaMb * MB));
  }
}
