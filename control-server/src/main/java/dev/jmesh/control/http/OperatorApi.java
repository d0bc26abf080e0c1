package dev.jmesh.control.http;

import dev.jmesh.api.PolicyResource;
import dev.jmesh.control.ApiException;
import dev.jmesh.control.registry.InstanceRegistry;
import dev.jmesh.control.registry.RegisteredInstance;
import dev.jmesh.control.snapshot.MeshVersion;
import dev.jmesh.control.store.AppliedResource;
import dev.jmesh.control.store.HistoryEntry;
import dev.jmesh.control.store.PolicyStore;
import dev.jmesh.control.tokens.JoinTokenStore;
import dev.jmesh.policy.PolicyDocuments;
import dev.jmesh.policy.PolicyException;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** The operator API (admin token): join tokens, policies, instances and status. */
public final class OperatorApi {

  public static final String DEFAULT_NAMESPACE = "default";
  static final long DEFAULT_TOKEN_TTL_SECONDS = Duration.ofHours(24).toSeconds();

  /** {@code POST /v1/tokens} body. */
  public record TokenRequest(String namespace, String service, Long ttlSeconds) {}

  /** {@code POST /v1/policies} answer. */
  public record ApplyResponse(List<AppliedResource> results, List<SkippedDocument> skipped) {}

  /** A document {@code POST /v1/policies} did not store, and why. */
  public record SkippedDocument(String kind, String name, String reason) {}

  /** A list answer: {@code {"items":[…]}}. */
  public record Items<T>(List<T> items) {}

  /** {@code DELETE /v1/policies/…} answer. */
  public record Deleted(PolicyResource deleted) {}

  /** One instance as operators see it, with its health and sync state. */
  public record InstanceStatus(
      String instanceId,
      String service,
      String namespace,
      String spiffeId,
      String address,
      List<Integer> ports,
      Map<String, String> labels,
      Integer adminPort,
      String agentVersion,
      long lastHeartbeatEpochMillis,
      Long ackedVersion,
      String nackError,
      long certificateNotAfterEpochMillis) {}

  /** {@code GET /v1/status} answer. */
  public record ServerStatus(
      long version, String trustDomain, String caSha256, int instances, int policies) {}

  private final String trustDomain;
  private final String caSha256;
  private final JoinTokenStore joinTokens;
  private final PolicyStore policies;
  private final InstanceRegistry registry;
  private final MeshVersion version;
  private final CallerAuthentication callers;

  public OperatorApi(
      String trustDomain,
      String caSha256,
      JoinTokenStore joinTokens,
      PolicyStore policies,
      InstanceRegistry registry,
      MeshVersion version,
      CallerAuthentication callers) {
    this.trustDomain = trustDomain;
    this.caSha256 = caSha256;
    this.joinTokens = joinTokens;
    this.policies = policies;
    this.registry = registry;
    this.version = version;
    this.callers = callers;
  }

  public void addRoutes(Router router) {
    router
        .add("POST", "/v1/tokens", admin(this::createToken))
        .add("POST", "/v1/policies", admin(this::applyPolicies))
        .add("GET", "/v1/policies", admin(this::listPolicies))
        .add("GET", "/v1/policies/{kind}/{namespace}/{name}", admin(this::getPolicy))
        .add("GET", "/v1/policies/{kind}/{namespace}/{name}/history", admin(this::policyHistory))
        .add("DELETE", "/v1/policies/{kind}/{namespace}/{name}", admin(this::deletePolicy))
        .add("GET", "/v1/instances", admin(this::listInstances))
        .add("GET", "/v1/status", admin(this::status));
  }

  private ApiHandler admin(ApiHandler handler) {
    return request -> {
      callers.requireAdmin(request);
      return handler.handle(request);
    };
  }

  private ApiResponse createToken(ApiRequest request) throws ApiException, IOException {
    TokenRequest body = request.bodyAs(TokenRequest.class);
    AgentApi.requireName("namespace", body.namespace(), "the token request");
    if (body.service() != null) {
      AgentApi.requireName("service", body.service(), "the token request");
    }
    long ttlSeconds = body.ttlSeconds() == null ? DEFAULT_TOKEN_TTL_SECONDS : body.ttlSeconds();
    if (ttlSeconds <= 0) {
      throw ApiException.badRequest(
          "ttlSeconds in the token request must be positive, got " + ttlSeconds);
    }
    return ApiResponse.ok(
        joinTokens.create(body.namespace(), body.service(), Duration.ofSeconds(ttlSeconds)));
  }

  private ApiResponse applyPolicies(ApiRequest request) throws ApiException, IOException {
    String namespace = request.query("namespace").orElse(DEFAULT_NAMESPACE);
    PolicyDocuments.ParseResult parsed;
    try {
      parsed = PolicyDocuments.parseYaml(request.bodyText(), namespace, null);
    } catch (PolicyException e) {
      throw ApiException.badRequest(e.getMessage());
    }
    List<AppliedResource> results = policies.apply(parsed.resources());
    List<SkippedDocument> skipped =
        parsed.skipped().stream()
            .map(s -> new SkippedDocument(s.kind(), s.name(), s.reason()))
            .toList();
    return ApiResponse.ok(new ApplyResponse(results, skipped));
  }

  private ApiResponse listPolicies(ApiRequest request) {
    return ApiResponse.ok(
        new Items<>(
            policies.list(
                request.query("kind").orElse(null), request.query("namespace").orElse(null))));
  }

  private ApiResponse getPolicy(ApiRequest request) throws ApiException {
    return ApiResponse.ok(
        policies
            .get(kind(request), request.pathParameter("namespace"), request.pathParameter("name"))
            .orElseThrow(() -> doesNotExist(request)));
  }

  private ApiResponse policyHistory(ApiRequest request) throws ApiException {
    List<HistoryEntry> history =
        policies.history(
            kind(request), request.pathParameter("namespace"), request.pathParameter("name"));
    if (history.isEmpty()) {
      throw ApiException.notFound(
          kind(request)
              + " "
              + request.pathParameter("namespace")
              + "/"
              + request.pathParameter("name")
              + " has no history: it was never stored");
    }
    return ApiResponse.ok(new Items<>(history));
  }

  private ApiResponse deletePolicy(ApiRequest request) throws ApiException, IOException {
    return ApiResponse.ok(
        new Deleted(
            policies
                .delete(
                    kind(request),
                    request.pathParameter("namespace"),
                    request.pathParameter("name"))
                .orElseThrow(() -> doesNotExist(request))));
  }

  private ApiResponse listInstances(ApiRequest request) {
    return ApiResponse.ok(new Items<>(registry.live().stream().map(OperatorApi::status).toList()));
  }

  private ApiResponse status(ApiRequest request) {
    return ApiResponse.ok(
        new ServerStatus(
            version.current(),
            trustDomain,
            caSha256,
            registry.live().size(),
            policies.list(null, null).size()));
  }

  private static InstanceStatus status(RegisteredInstance registered) {
    var instance = registered.instance();
    return new InstanceStatus(
        instance.instanceId(),
        instance.service(),
        instance.namespace(),
        instance.spiffeId(),
        instance.address(),
        instance.ports(),
        instance.labels(),
        registered.adminPort(),
        registered.agentVersion(),
        registered.lastHeartbeatEpochMillis(),
        registered.ackedVersion(),
        registered.nackError(),
        registered.certificateNotAfterEpochMillis());
  }

  private static String kind(ApiRequest request) {
    return request.pathParameter("kind");
  }

  private static ApiException doesNotExist(ApiRequest request) {
    return ApiException.notFound(
        kind(request)
            + " "
            + request.pathParameter("namespace")
            + "/"
            + request.pathParameter("name")
            + " does not exist");
  }
}
