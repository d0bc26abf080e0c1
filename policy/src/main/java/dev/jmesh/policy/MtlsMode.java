package dev.jmesh.policy;

/**
 * Istio's {@code PeerAuthentication.MutualTLS.Mode}: what a workload accepts on an inbound port.
 * {@link #UNSET} means "inherit from the parent scope".
 */
public enum MtlsMode {
  /** Inherit from the parent scope (workload → namespace → mesh → PERMISSIVE). */
  UNSET,
  /** Plaintext only. */
  DISABLE,
  /** Plaintext and mTLS. */
  PERMISSIVE,
  /** mTLS only. */
  STRICT
}
