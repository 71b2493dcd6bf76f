package io.updraft.common.protocol;

/**
 * The body of signal subjects that carry no fields ({@code dea.locate},
 * {@code healthmanager.start}). Published as {@code {}}; any payload is accepted on read.
 */
public record Empty() implements WireMessage {

  public static final Empty INSTANCE = new Empty();
}
