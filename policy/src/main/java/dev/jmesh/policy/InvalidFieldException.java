package dev.jmesh.policy;

/**
 * One invalid field inside a document: its path ({@code spec.mtls.mode}) and the reason. {@link
 * PolicyDocuments} adds the document it came from and turns it into a {@link PolicyException}.
 */
final class InvalidFieldException extends Exception {

  private static final long serialVersionUID = 1L;

  InvalidFieldException(String path, String reason) {
    super(path + ": " + reason);
  }
}
