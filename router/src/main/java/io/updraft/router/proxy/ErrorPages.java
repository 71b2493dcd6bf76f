package io.updraft.router.proxy;

/**
 * The router's own answers, short and plain text (so a host name from a request can never
 * become markup). The 404 keeps the CF v1 phrase that operators grep for.
 */
final class ErrorPages {

  private ErrorPages() {
  }

  static String notFound(String host) {
    return "404 Not Found: no app is mapped to " + host
        + "\nVCAP ROUTER: 404 - DESTINATION NOT FOUND\n";
  }

  static String noBackend(String host) {
    return "502 Bad Gateway: no live instance of " + host + " could be reached\n";
  }

  static String backendFailed(String host) {
    return "502 Bad Gateway: the instance of " + host
        + " closed the connection before answering\n";
  }

  static String timeout(String host, long timeoutMs) {
    return "504 Gateway Timeout: " + host + " did not answer within " + timeoutMs + " ms\n";
  }

  static String badRequest(String reason) {
    return "400 Bad Request: " + reason + "\n";
  }
}
