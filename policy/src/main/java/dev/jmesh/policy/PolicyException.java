package dev.jmesh.policy;

/**
 * Invalid policy. The message names the document, the field and the reason, for example {@code
 * document 2 (PeerAuthentication default/strict): spec.mtls.mode: "STRICTT" is not one of UNSET,
 * DISABLE, PERMISSIVE, STRICT}, so it can be shown to the operator as is.
 */
public class PolicyException extends Exception {

  private static final long serialVersionUID = 1L;

  public PolicyException(String message) {
    super(message);
  }

  public PolicyException(String message, Throwable cause) {
    super(message, cause);
  }
}
