package io.updraft.dea.responders;

/**
 * One bus conversation of the DEA. {@link #start()} subscribes and arms its timers;
 * {@link #stop()} undoes exactly that. Both run on the DEA verticle's event loop.
 */
public interface Responder {

  void start();

  void stop();
}
