package io.updraft.client;

import io.updraft.client.cli.UpdraftCli;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

/** Entry point of the {@code updraft} client. */
public final class UpdraftMain {

  private UpdraftMain() {
  }

  public static void main(String[] args) {
    // lets the client reach *.localhost targets on loopback with their name in Host
    System.setProperty("jdk.httpclient.allowRestrictedHeaders", "host");
    PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
    PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
    System.exit(UpdraftCli.run(System.getenv(), out, err, args));
  }
}
