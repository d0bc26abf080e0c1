package dev.jmesh.control;

/**
 * A request the control server refuses, with the HTTP status to answer and one sentence naming what
 * is wrong and where. The HTTP layer turns it into an {@code ApiError} body.
 */
public class ApiException extends Exception {

  private final int status;

  public ApiException(int status, String message) {
    super(message);
    this.status = status;
  }

  public int status() {
    return status;
  }

  public static ApiException badRequest(String message) {
    return new ApiException(400, message);
  }

  public static ApiException unauthorized(String message) {
    return new ApiException(401, message);
  }

  public static ApiException forbidden(String message) {
    return new ApiException(403, message);
  }

  public static ApiException notFound(String message) {
    return new ApiException(404, message);
  }
}
