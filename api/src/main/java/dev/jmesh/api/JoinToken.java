package dev.jmesh.api;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A join token: {@code jmesh1.<id>.<secret>.<ca-sha256>}. The id names the token in the server's
 * store, the secret authenticates it (the server keeps only its hash), and the last part is the
 * SHA-256 of the control server's root CA certificate (DER, hex), so the agent can verify the
 * control server from the first byte, as kubeadm's discovery hash does.
 */
public record JoinToken(String id, String secret, String caSha256) {

  private static final Pattern FORMAT =
      Pattern.compile("jmesh1\\.([0-9a-f]{8,32})\\.([0-9a-f]{32,64})\\.([0-9a-f]{64})");

  public static JoinToken parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("join token is empty");
    }
    Matcher m = FORMAT.matcher(text.trim().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "join token is malformed: expected jmesh1.<id>.<secret>.<ca-sha256> as printed by"
              + " 'jmesh-control-server token create'");
    }
    return new JoinToken(m.group(1), m.group(2), m.group(3));
  }

  @Override
  public String toString() {
    return "jmesh1." + id + "." + secret + "." + caSha256;
  }

  /** The token without its secret, for logs and errors. */
  public String redacted() {
    return "jmesh1." + id + ".<secret>." + caSha256.substring(0, 12) + "…";
  }
}
