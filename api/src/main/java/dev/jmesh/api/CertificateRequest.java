package dev.jmesh.api;

/**
 * {@code POST /v1/certificates}: a PKCS#10 CSR for the workload identity
 * {@code spiffe://<trust-domain>/ns/<namespace>/sa/<service>}. Authenticated by a join token
 * (first certificate) or by the agent's current workload certificate (renewal).
 *
 * @param ttlSeconds requested lifetime; null for the server's default; capped by the server
 */
public record CertificateRequest(String csrPem, String namespace, String service, Long ttlSeconds) {}
