package dev.jmesh.control.http;

import dev.jmesh.api.CertificateRequest;
import dev.jmesh.api.CertificateResponse;
import dev.jmesh.api.InstanceRegistration;
import dev.jmesh.api.RegistrationResponse;
import dev.jmesh.api.SnapshotAck;
import dev.jmesh.api.SpiffeId;
import dev.jmesh.api.TrustBundle;
import dev.jmesh.control.ApiException;
import dev.jmesh.control.ca.CertificateAuthority;
import dev.jmesh.control.ca.Pem;
import dev.jmesh.control.ca.WorkloadCertificateIssuer;
import dev.jmesh.control.registry.InstanceRegistry;
import dev.jmesh.control.registry.RegisteredInstance;
import dev.jmesh.control.snapshot.MeshVersion;
import dev.jmesh.control.snapshot.SnapshotBuilder;
import dev.jmesh.control.snapshot.SnapshotWatchers;
import dev.jmesh.control.tokens.JoinTokenStore;
import java.io.IOException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** The agent API: trust bundle, certificates, registry and the snapshot push channel. */
public final class AgentApi {

  /** The longest a snapshot watch may be held, in seconds. */
  public static final int MAX_WAIT_SECONDS = 60;

  private final String trustDomain;
  private final CertificateAuthority authority;
  private final WorkloadCertificateIssuer issuer;
  private final JoinTokenStore joinTokens;
  private final InstanceRegistry registry;
  private final MeshVersion version;
  private final SnapshotBuilder snapshots;
  private final SnapshotWatchers watchers;
  private final CallerAuthentication callers;

  public AgentApi(
      String trustDomain,
      CertificateAuthority authority,
      WorkloadCertificateIssuer issuer,
      JoinTokenStore joinTokens,
      InstanceRegistry registry,
      MeshVersion version,
      SnapshotBuilder snapshots,
      SnapshotWatchers watchers,
      CallerAuthentication callers) {
    this.trustDomain = trustDomain;
    this.authority = authority;
    this.issuer = issuer;
    this.joinTokens = joinTokens;
    this.registry = registry;
    this.version = version;
    this.snapshots = snapshots;
    this.watchers = watchers;
    this.callers = callers;
  }

  public void addRoutes(Router router) {
    router
        .add("GET", "/v1/trust-bundle", this::trustBundle)
        .add("POST", "/v1/certificates", this::issueCertificate)
        .add("POST", "/v1/instances", this::register)
        .add("PUT", "/v1/instances/{id}", this::heartbeat)
        .add("DELETE", "/v1/instances/{id}", this::deregister)
        .add("GET", "/v1/snapshot", this::snapshot)
        .add("POST", "/v1/snapshot/ack", this::acknowledge);
  }

  private ApiResponse trustBundle(ApiRequest request) {
    return ApiResponse.ok(new TrustBundle(trustDomain, List.of(authority.rootCertificatePem())));
  }

  private ApiResponse issueCertificate(ApiRequest request) throws ApiException, IOException {
    CertificateRequest body = request.bodyAs(CertificateRequest.class);
    requireName("namespace", body.namespace(), "the certificate request");
    requireName("service", body.service(), "the certificate request");
    SpiffeId wanted = new SpiffeId(trustDomain, body.namespace(), body.service());
    Optional<String> joinToken = callers.bearerToken(request);
    if (joinToken.isPresent()) {
      joinTokens.authorize(joinToken.get(), wanted.namespace(), wanted.service());
    } else if (request.clientCertificate().isPresent()) {
      SpiffeId current = callers.workload(request);
      if (!current.equals(wanted)) {
        throw ApiException.forbidden(
            "the workload certificate of "
                + current
                + " cannot renew a certificate for "
                + wanted.path());
      }
    } else {
      throw ApiException.unauthorized(
          "POST /v1/certificates needs a join token (Authorization: Bearer jmesh1.…) or the"
              + " agent's current workload certificate");
    }
    Duration ttl = body.ttlSeconds() == null ? null : Duration.ofSeconds(body.ttlSeconds());
    X509Certificate certificate = issuer.issue(body.csrPem(), wanted, ttl);
    return ApiResponse.ok(
        new CertificateResponse(
            wanted.toString(),
            List.of(Pem.encode(certificate)),
            List.of(authority.rootCertificatePem()),
            certificate.getNotAfter().getTime()));
  }

  private ApiResponse register(ApiRequest request) throws ApiException, IOException {
    SpiffeId identity = callers.workload(request);
    InstanceRegistration registration = request.bodyAs(InstanceRegistration.class);
    checkRegistration(registration, identity, "POST /v1/instances");
    RegisteredInstance registered =
        registry.register(
            identity,
            registration,
            addressOf(registration, request),
            callers.certificateNotAfter(request));
    return ApiResponse.ok(registrationResponse(registered));
  }

  private ApiResponse heartbeat(ApiRequest request) throws ApiException, IOException {
    SpiffeId identity = callers.workload(request);
    String id = request.pathParameter("id");
    ownedInstance(id, identity);
    InstanceRegistration registration = request.bodyAs(InstanceRegistration.class);
    checkRegistration(registration, identity, "PUT /v1/instances/" + id);
    RegisteredInstance updated =
        registry
            .heartbeat(
                id,
                registration,
                addressOf(registration, request),
                callers.certificateNotAfter(request))
            .orElseThrow(() -> notRegistered(id));
    return ApiResponse.ok(registrationResponse(updated));
  }

  private ApiResponse deregister(ApiRequest request) throws ApiException {
    SpiffeId identity = callers.workload(request);
    String id = request.pathParameter("id");
    ownedInstance(id, identity);
    if (!registry.deregister(id)) {
      throw notRegistered(id);
    }
    return ApiResponse.noContent();
  }

  private ApiResponse snapshot(ApiRequest request) throws ApiException {
    SpiffeId identity = callers.workload(request);
    String id = request.requiredQuery("instance");
    RegisteredInstance instance = ownedInstance(id, identity);
    long knownVersion = request.longQuery("version", Long.MIN_VALUE);
    long waitSeconds = request.longQuery("waitSeconds", 0);
    if (waitSeconds < 0) {
      throw ApiException.badRequest(
          "query parameter 'waitSeconds' of GET /v1/snapshot must not be negative, got "
              + waitSeconds);
    }
    String namespace = instance.instance().namespace();
    boolean gzip = acceptsGzip(request);
    if (waitSeconds == 0) {
      return version.current() != knownVersion
          ? snapshotResponse(namespace, gzip)
          : ApiResponse.notModified();
    }
    // Behind the version published to watchers: answer at once. Otherwise wait for the next
    // (debounced) publication, even if the version has already moved on since.
    if (watchers.isBehind(knownVersion)) {
      return snapshotResponse(namespace, gzip);
    }
    watchers.watch(
        knownVersion,
        Duration.ofSeconds(Math.min(waitSeconds, MAX_WAIT_SECONDS)),
        () -> answerSnapshot(request, namespace, gzip),
        () -> request.respond(ApiResponse.notModified()));
    return ApiResponse.deferred();
  }

  private ApiResponse snapshotResponse(String namespace, boolean gzip) {
    return gzip
        ? ApiResponse.okGzipJson(snapshots.buildGzipJson(namespace))
        : ApiResponse.okJson(snapshots.buildJson(namespace));
  }

  /** Whether {@code Accept-Encoding} names gzip (or {@code *}) with a non-zero quality. */
  static boolean acceptsGzip(ApiRequest request) {
    for (String value : request.headers("Accept-Encoding")) {
      for (String coding : value.split(",")) {
        String[] parts = coding.split(";");
        String name = parts[0].trim();
        if (!name.equalsIgnoreCase("gzip") && !name.equals("*")) {
          continue;
        }
        boolean refused = false;
        for (int i = 1; i < parts.length; i++) {
          String parameter = parts[i].trim();
          if (parameter.startsWith("q=") || parameter.startsWith("Q=")) {
            try {
              refused = Double.parseDouble(parameter.substring(2).trim()) <= 0;
            } catch (NumberFormatException e) {
              refused = true;
            }
          }
        }
        if (!refused) {
          return true;
        }
      }
    }
    return false;
  }

  private void answerSnapshot(ApiRequest request, String namespace, boolean gzip) {
    ApiResponse response;
    try {
      response = snapshotResponse(namespace, gzip);
    } catch (RuntimeException e) {
      response = ApiResponse.error(500, "internal error while building the snapshot: " + e);
    }
    request.respond(response);
  }

  private ApiResponse acknowledge(ApiRequest request) throws ApiException, IOException {
    SpiffeId identity = callers.workload(request);
    String id = request.requiredQuery("instance");
    ownedInstance(id, identity);
    SnapshotAck ack = request.bodyAs(SnapshotAck.class);
    if (!registry.recordAck(id, ack)) {
      throw notRegistered(id);
    }
    return ApiResponse.noContent();
  }

  private RegisteredInstance ownedInstance(String id, SpiffeId caller) throws ApiException {
    RegisteredInstance instance = registry.get(id).orElseThrow(() -> notRegistered(id));
    if (!instance.identity().equals(caller)) {
      throw ApiException.forbidden(
          "instance "
              + id
              + " belongs to "
              + instance.identity().path()
              + ", not to the caller "
              + caller.path());
    }
    return instance;
  }

  private static ApiException notRegistered(String id) {
    return ApiException.notFound(
        "instance "
            + id
            + " is not registered (it may have expired); register again with"
            + " POST /v1/instances");
  }

  private static void checkRegistration(
      InstanceRegistration registration, SpiffeId identity, String call) throws ApiException {
    if (!identity.service().equals(registration.service())
        || !identity.namespace().equals(registration.namespace())) {
      throw ApiException.forbidden(
          call
              + " registers service '"
              + registration.service()
              + "' in namespace '"
              + registration.namespace()
              + "', but the workload certificate is for "
              + identity.path());
    }
    if (registration.ports() != null) {
      for (Integer port : registration.ports()) {
        if (port == null || port < 1 || port > 65535) {
          throw ApiException.badRequest(
              call + ": ports holds " + port + ", which is not a TCP port (1-65535)");
        }
      }
    }
    if (registration.labels() != null) {
      for (var label : registration.labels().entrySet()) {
        if (label.getKey() == null || label.getValue() == null) {
          throw ApiException.badRequest(
              call + ": labels holds a null key or value (" + label.getKey() + ")");
        }
      }
    }
  }

  private static String addressOf(InstanceRegistration registration, ApiRequest request) {
    return registration.address() == null || registration.address().isBlank()
        ? request.remoteAddress()
        : registration.address();
  }

  private RegistrationResponse registrationResponse(RegisteredInstance instance) {
    return new RegistrationResponse(
        instance.instanceId(), registry.heartbeatIntervalSeconds(), registry.expirySeconds());
  }

  static void requireName(String field, String value, String where) throws ApiException {
    if (value == null || value.isBlank()) {
      throw ApiException.badRequest(field + " is missing from " + where);
    }
    if (!SpiffeId.isValidName(value)) {
      throw ApiException.badRequest(
          field
              + " '"
              + value
              + "' in "
              + where
              + " is not a valid name (letters, digits, '-',"
              + " '.', '_'; starting and ending with a letter or digit)");
    }
  }
}
