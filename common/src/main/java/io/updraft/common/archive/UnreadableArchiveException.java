package io.updraft.common.archive;

/**
 * An archive that could not be read at all (corrupt, truncated, not the format asked for),
 * as opposed to one that reads fine but is refused: a cache can tell from it that its copy
 * went bad and should be fetched again.
 */
public class UnreadableArchiveException extends UnsafeArchiveException {

  public UnreadableArchiveException(String message) {
    super(message);
  }
}
