package io.updraft.common.archive;

import java.io.IOException;

/**
 * An archive refused by {@link SafeExtractor}: it would write outside its target, is larger
 * than allowed, or is malformed. The message names the entry and is meant for the app's
 * developer.
 */
public class UnsafeArchiveException extends IOException {

  public UnsafeArchiveException(String message) {
    super(message);
  }
}
