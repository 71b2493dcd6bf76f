package io.updraft.dea.droplet;

/** A droplet that cannot be obtained: bad uri, HTTP failure, sha1 mismatch. */
public final class DropletException extends Exception {

  public DropletException(String message) {
    super(message);
  }
}
