package dev.jmesh.agent.control;

import dev.jmesh.agent.identity.IdentityStore;
import dev.jmesh.agent.json.Json;
import dev.jmesh.agent.tls.TlsEngine;
import dev.jmesh.api.ApiError;
import dev.jmesh.api.CertificateRequest;
import dev.jmesh.api.CertificateResponse;
import dev.jmesh.api.InstanceRegistration;
import dev.jmesh.api.MeshSnapshot;
import dev.jmesh.api.RegistrationResponse;
import dev.jmesh.api.SnapshotAck;
import dev.jmesh.api.StatsReport;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.zip.GZIPInputStream;

/**
 * The agent API of the control server (docs/control-plane-api.md) over {@link ControlTransport},
 * with fail-over between the configured servers. Call it only from agent threads: the hooks then
 * leave its connections and look-ups alone.
 */
public final class ControlClient {

  private static final String SNAPSHOT_PATH = "/v1/snapshot?";
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
  private static final Duration READ_TIMEOUT = Duration.ofSeconds(15);

  private final List<URI> servers;
  private final ControlServerTrustManager trust;
  private final AtomicInteger current = new AtomicInteger();
  private final ControlTransport transport;

  /**
   * @param caSha256 the root hash from the join token, or null
   * @param configuredRoots roots from {@code jmesh.control.ca}
   */
  public ControlClient(
      List<URI> servers,
      String caSha256,
      List<X509Certificate> configuredRoots,
      IdentityStore identity,
      Supplier<TlsEngine> engine) {
    this.servers = List.copyOf(servers);
    this.trust = new ControlServerTrustManager(caSha256, configuredRoots);
    this.transport = new ControlTransport(identity, trust, engine);
  }

  /** The server calls go to now (the last one that answered). */
  public URI currentServer() {
    return servers.get(current.get());
  }

  /** Remembers the mesh roots as further anchors for the control server's own certificate. */
  public void trustRoots(List<X509Certificate> roots) {
    trust.addRoots(roots);
  }

  /**
   * @param bearerToken the join token for the first certificate, null to renew with mTLS
   */
  public CertificateResponse requestCertificate(CertificateRequest request, String bearerToken)
      throws ControlException {
    return call(
        "POST", "/v1/certificates", request, bearerToken, CertificateResponse.class, READ_TIMEOUT);
  }

  public RegistrationResponse register(InstanceRegistration registration) throws ControlException {
    return call(
        "POST", "/v1/instances", registration, null, RegistrationResponse.class, READ_TIMEOUT);
  }

  public RegistrationResponse heartbeat(String instanceId, InstanceRegistration registration)
      throws ControlException {
    return call(
        "PUT",
        "/v1/instances/" + encode(instanceId),
        registration,
        null,
        RegistrationResponse.class,
        READ_TIMEOUT);
  }

  public void deregister(String instanceId, Duration timeout) throws ControlException {
    call("DELETE", "/v1/instances/" + encode(instanceId), null, null, Void.class, timeout);
  }

  /** The snapshot if it differs from {@code knownVersion}; empty when the wait ended with 304. */
  public Optional<MeshSnapshot> snapshot(String instanceId, long knownVersion, int waitSeconds)
      throws ControlException {
    return Optional.ofNullable(
        call(
            "GET",
            SNAPSHOT_PATH
                + "instance="
                + encode(instanceId)
                + "&version="
                + knownVersion
                + "&waitSeconds="
                + waitSeconds,
            null,
            null,
            MeshSnapshot.class,
            READ_TIMEOUT.plusSeconds(waitSeconds)));
  }

  public void ack(String instanceId, SnapshotAck ack) throws ControlException {
    call(
        "POST",
        "/v1/snapshot/ack?instance=" + encode(instanceId),
        ack,
        null,
        Void.class,
        READ_TIMEOUT);
  }

  /** Sends the traffic summary of the last interval ({@code POST /v1/stats}). */
  public void reportStats(StatsReport report, Duration timeout) throws ControlException {
    call("POST", "/v1/stats", report, null, Void.class, timeout);
  }

  /**
   * Tries the current server, then the others in order. Only failures without an answer move on to
   * the next server; an error status is the answer.
   */
  private <T> T call(
      String method, String path, Object body, String bearer, Class<T> type, Duration readTimeout)
      throws ControlException {
    int start = current.get();
    ControlException failure = null;
    for (int i = 0; i < servers.size(); i++) {
      int index = (start + i) % servers.size();
      URI server = servers.get(index);
      try {
        T result = exchange(server, method, path, body, bearer, type, readTimeout);
        current.set(index);
        return result;
      } catch (IOException e) {
        if (failure == null) {
          failure = new ControlException(server, 0, describe(server, e), e);
        }
      } catch (ControlException e) {
        if (e.status() < 500 || servers.size() == 1) {
          current.set(index);
          throw e;
        }
        // A server error on one replica: the next one may be healthy.
        if (failure == null) {
          failure = e;
        }
      }
    }
    throw failure;
  }

  private <T> T exchange(
      URI server,
      String method,
      String path,
      Object body,
      String bearer,
      Class<T> type,
      Duration readTimeout)
      throws IOException, ControlException {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Accept", "application/json");
    // Snapshots carry every live instance: hundreds of KB of JSON that gzip shrinks tenfold. The
    // server compresses what is worth it; decode() reads either.
    headers.put("Accept-Encoding", "gzip");
    if (bearer != null) {
      headers.put("Authorization", "Bearer " + bearer);
    }
    byte[] bytes = null;
    if (body != null) {
      bytes = Json.write(body);
      headers.put("Content-Type", "application/json");
    }
    ControlTransport.Answer answer =
        transport.call(
            server,
            method,
            path,
            headers,
            bytes,
            CONNECT_TIMEOUT.compareTo(readTimeout) < 0 ? CONNECT_TIMEOUT : readTimeout,
            readTimeout);
    int status = answer.status();
    if (status == 304) {
      return null;
    }
    if (status >= 400) {
      String message = errorMessage(answer);
      throw new ControlException(
          server,
          status,
          "control server "
              + server
              + " answered "
              + method
              + " "
              + path.replaceAll("\\?.*", "")
              + " with "
              + status
              + ": "
              + message,
          message,
          null);
    }
    if (type == Void.class || status == 204) {
      return null;
    }
    return Json.read(decode(answer.contentEncoding(), answer.body()), type);
  }

  /** Closes the connections to the control servers. */
  public void close() {
    transport.close();
  }

  /** The body as sent, un-gzipped when the server says {@code Content-Encoding: gzip}. */
  static byte[] decode(String encoding, byte[] body) throws IOException {
    if (encoding == null || encoding.isBlank() || encoding.trim().equalsIgnoreCase("identity")) {
      return body;
    }
    if (encoding.trim().equalsIgnoreCase("gzip") || encoding.trim().equalsIgnoreCase("x-gzip")) {
      try (InputStream gunzip = new GZIPInputStream(new ByteArrayInputStream(body))) {
        return gunzip.readAllBytes();
      }
    }
    throw new IOException(
        "the control server answered with Content-Encoding '" + encoding + "', not gzip");
  }

  private static String errorMessage(ControlTransport.Answer answer) {
    if (answer.body().length == 0) {
      return "(no body)";
    }
    try {
      byte[] bytes = decode(answer.contentEncoding(), answer.body());
      try {
        ApiError error = Json.read(bytes, ApiError.class);
        if (error.error() != null) {
          return error.error();
        }
      } catch (IOException notJson) {
        // fall through to the raw text
      }
      return new String(bytes, StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      return "(unreadable body: " + e.getMessage() + ")";
    }
  }

  /** One sentence for a call that got no answer: unreachable, or not trusted. */
  static String describe(URI server, IOException e) {
    Throwable root = e;
    boolean untrusted = false;
    for (Throwable t = e; t != null; t = t.getCause()) {
      untrusted |= t instanceof java.security.cert.CertificateException;
      root = t;
      if (t.getCause() == t) {
        break;
      }
    }
    String message =
        root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    if (untrusted) {
      return "the agent does not trust control server " + server + ": " + message;
    }
    return "cannot reach control server " + server + ": " + message;
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }
}
