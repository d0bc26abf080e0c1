package dev.jmesh.control.ca;

/** The CA cannot be created or loaded; the message names the file and what is wrong with it. */
public class CaException extends Exception {

  public CaException(String message) {
    super(message);
  }

  public CaException(String message, Throwable cause) {
    super(message, cause);
  }
}
