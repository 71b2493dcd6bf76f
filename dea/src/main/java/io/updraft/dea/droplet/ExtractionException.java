package io.updraft.dea.droplet;

import java.io.IOException;

/** A droplet archive that cannot be unpacked safely; the message names the entry and why. */
public final class ExtractionException extends IOException {

  public ExtractionException(String message) {
    super(message);
  }
}
