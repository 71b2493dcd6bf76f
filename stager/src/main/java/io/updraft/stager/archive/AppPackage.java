package io.updraft.stager.archive;

import io.updraft.common.archive.SafeExtractor;
import io.updraft.common.archive.UnreadableArchiveException;
import io.updraft.common.archive.UnsafeArchiveException;
import io.updraft.stager.task.StagingException;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Unpacks an app package (zip) with common's {@link SafeExtractor} and turns a failure into
 * the staging error the developer reads: {@code Invalid app package: <why, naming the entry>}
 * for a refused package, {@code Failed unpacking app: <why>} for one that cannot be read.
 * Blocking.
 */
public final class AppPackage {

  private AppPackage() {
  }

  /** Unpacks {@code zip} into {@code appDir} (created when missing), at most {@code maxBytes}. */
  public static void unpack(Path zip, Path appDir, long maxBytes) throws StagingException {
    try {
      SafeExtractor.unzip(zip, appDir, SafeExtractor.Limits.of(maxBytes));
    } catch (UnreadableArchiveException e) {
      throw new StagingException("Failed unpacking app: " + e.getMessage(), e);
    } catch (UnsafeArchiveException e) {
      throw new StagingException("Invalid app package: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new StagingException("Failed unpacking app: " + e.getMessage(), e);
    }
  }
}
