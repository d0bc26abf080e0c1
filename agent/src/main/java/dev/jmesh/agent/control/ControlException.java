package dev.jmesh.agent.control;

import java.net.URI;

/** A control-server call failed: unreachable (status 0) or answered with an error status. */
public final class ControlException extends Exception {

  private final URI server;
  private final int status;
  private final String serverMessage;

  ControlException(URI server, int status, String message, Throwable cause) {
    this(server, status, message, null, cause);
  }

  ControlException(URI server, int status, String message, String serverMessage, Throwable cause) {
    super(message, cause);
    this.server = server;
    this.status = status;
    this.serverMessage = serverMessage;
  }

  /** The server's {@code ApiError} message, or null. */
  public String serverMessage() {
    return serverMessage;
  }

  public URI server() {
    return server;
  }

  /** The HTTP status, or 0 when no answer came (connection refused, TLS failure, timeout). */
  public int status() {
    return status;
  }

  public boolean unreachable() {
    return status == 0;
  }
}
