package io.updraft.controller.api;

/**
 * An error the API reports as CF v1 clients expect: an HTTP status and a JSON body
 * {@code {"code": <int>, "description": "<text>"}} (PROTOCOL.md section 11). A missing or bad
 * token is 403 with code 200, never 401.
 */
public final class ApiError extends RuntimeException {

  private final int status;
  private final int code;

  public ApiError(int status, int code, String description) {
    super(description);
    this.status = status;
    this.code = code;
  }

  public int status() {
    return status;
  }

  public int code() {
    return code;
  }

  public static ApiError badRequest(String description) {
    return new ApiError(400, 100, description);
  }

  public static ApiError lockConflict() {
    return new ApiError(400, 102, "Optimistic locking failure");
  }

  public static ApiError notPermitted() {
    return new ApiError(403, 200, "Operation not permitted");
  }

  public static ApiError userNotFound() {
    return new ApiError(403, 201, "User not found");
  }

  public static ApiError invalidApp(String why) {
    return new ApiError(400, 300, "Invalid application description: " + why);
  }

  public static ApiError appNotFound() {
    return new ApiError(404, 301, "Application not found");
  }

  public static ApiError tooManyApps(int have, int allowed) {
    return new ApiError(403, 601, "Too many applications: " + have + ", you're allowed: "
        + allowed);
  }

  public static ApiError notEnoughMemory(int allowedMb) {
    return new ApiError(403, 600, "Not enough memory capacity, you're allowed: " + allowedMb
        + "M");
  }

  public static ApiError tooManyUris(int have, int allowed) {
    return new ApiError(403, 602, "Too many URIs: " + have + ", you're allowed: " + allowed);
  }

  public static ApiError invalidUri(String uri) {
    return new ApiError(400, 700, "Invalid URI: \"" + uri + "\"");
  }

  public static ApiError uriTaken(String uri) {
    return new ApiError(400, 701, "The URI: \"" + uri + "\" has already been taken or reserved");
  }

  public static ApiError externalUri() {
    return new ApiError(403, 702, "External URIs are not enabled for this account");
  }

  public static ApiError system() {
    return new ApiError(500, 111, "System Exception Encountered");
  }
}
