package io.updraft.common.archive;

import java.io.IOException;

/** An archive that would write outside its target, or is larger than allowed. */
public class UnsafeArchiveException extends IOException {

  public UnsafeArchiveException(String message) {
    super(message);
  }
}
