package dev.jmesh.control.cli;

/** A client command failed; the message is printed to stderr as is. */
final class ClientException extends Exception {

  private final int status;

  ClientException(String message) {
    this(0, message);
  }

  ClientException(int status, String message) {
    super(message);
    this.status = status;
  }

  /** The HTTP status the server answered, or 0 when there was no answer. */
  int status() {
    return status;
  }
}
