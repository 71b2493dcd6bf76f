package io.updraft.common.protocol;

/**
 * A message of the Updraft/CF v1 wire protocol. Every record in the {@code protocol.*}
 * packages implements it; each also has a static {@code fromJson(byte[])}.
 */
public interface WireMessage {

  /** The message as a JSON payload, through the shared {@link Json} mapper. */
  default byte[] toJson() {
    return Json.encode(this);
  }

  /**
   * A short description for log lines. It must never contain secrets (passwords,
   * credentials, tokens); records that carry any override this.
   */
  default String logView() {
    return getClass().getSimpleName();
  }
}
