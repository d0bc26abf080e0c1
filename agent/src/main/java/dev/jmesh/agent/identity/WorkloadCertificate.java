package dev.jmesh.agent.identity;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;

/**
 * The workload's current identity: its private key (never leaves the JVM) and the certificate chain
 * the control server issued for it, leaf first.
 */
public record WorkloadCertificate(
    PrivateKey privateKey, List<X509Certificate> chain, String spiffeId) {

  public WorkloadCertificate {
    chain = List.copyOf(chain);
    if (chain.isEmpty()) {
      throw new IllegalArgumentException("empty certificate chain");
    }
  }

  public X509Certificate leaf() {
    return chain.get(0);
  }

  public Instant notBefore() {
    return leaf().getNotBefore().toInstant();
  }

  public Instant notAfter() {
    return leaf().getNotAfter().toInstant();
  }

  /** The leaf's serial number in hex. */
  public String serial() {
    return leaf().getSerialNumber().toString(16);
  }

  public X509Certificate[] chainArray() {
    return chain.toArray(new X509Certificate[0]);
  }

  @Override
  public String toString() {
    return "WorkloadCertificate["
        + spiffeId
        + ", serial "
        + serial()
        + ", notAfter "
        + notAfter()
        + "]";
  }
}
