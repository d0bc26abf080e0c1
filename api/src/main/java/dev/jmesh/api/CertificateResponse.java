package dev.jmesh.api;

import java.util.List;

/**
 * The issued workload certificate.
 *
 * @param certificateChainPem leaf first, then any intermediates (not the root)
 * @param trustBundlePem the roots the mesh trusts now (old and new during a CA rotation)
 * @param notAfterEpochMillis when the leaf expires
 */
public record CertificateResponse(
    String spiffeId,
    List<String> certificateChainPem,
    List<String> trustBundlePem,
    long notAfterEpochMillis) {}
