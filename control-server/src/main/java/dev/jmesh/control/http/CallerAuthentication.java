package dev.jmesh.control.http;

import dev.jmesh.api.SpiffeId;
import dev.jmesh.control.ApiException;
import dev.jmesh.control.tokens.AdminToken;
import java.util.Optional;

/** Who is calling: an agent with its workload certificate, or an operator with the admin token. */
public final class CallerAuthentication {

  private static final String BEARER = "Bearer ";

  private final String trustDomain;
  private final AdminToken adminToken;

  public CallerAuthentication(String trustDomain, AdminToken adminToken) {
    this.trustDomain = trustDomain;
    this.adminToken = adminToken;
  }

  /**
   * The SPIFFE identity of the workload certificate the TLS client authenticated with (the TLS
   * layer has already checked that it chains to the mesh CA and is valid now).
   */
  public SpiffeId workload(ApiRequest request) throws ApiException {
    Optional<SpiffeId> presented = request.clientSpiffeId();
    if (presented.isEmpty()) {
      throw ApiException.unauthorized(
          request.clientCertificate().isEmpty()
              ? request.describe()
                  + " needs the agent's workload certificate as TLS client"
                  + " certificate (mutual TLS); none was presented"
              : "the client certificate of "
                  + request.describe()
                  + " has no spiffe://<trust-domain>/ns/<ns>/sa/<service> URI SAN");
    }
    SpiffeId identity = presented.get();
    if (!identity.trustDomain().equals(trustDomain)) {
      throw ApiException.forbidden(
          "the client certificate of "
              + request.describe()
              + " is for trust domain '"
              + identity.trustDomain()
              + "'; this control server serves '"
              + trustDomain
              + "'");
    }
    return identity;
  }

  /** The client certificate's expiry, in epoch milliseconds (0 when there is none). */
  public long certificateNotAfter(ApiRequest request) {
    return request.clientCertificate().map(c -> c.getNotAfter().getTime()).orElse(0L);
  }

  /** The bearer token of the Authorization header, if there is one. */
  public Optional<String> bearerToken(ApiRequest request) {
    return request
        .header("Authorization")
        .filter(value -> value.regionMatches(true, 0, BEARER, 0, BEARER.length()))
        .map(value -> value.substring(BEARER.length()).trim());
  }

  /** Requires the admin token; 401 otherwise. */
  public void requireAdmin(ApiRequest request) throws ApiException {
    Optional<String> token = bearerToken(request);
    if (token.isEmpty()) {
      throw ApiException.unauthorized(
          request.describe()
              + " needs the admin token (Authorization: Bearer <admin-token>"
              + " from <data-dir>/admin-token)");
    }
    if (!adminToken.matches(token.get())) {
      throw ApiException.unauthorized(
          "the bearer token of "
              + request.describe()
              + " is not this control server's admin token");
    }
  }
}
