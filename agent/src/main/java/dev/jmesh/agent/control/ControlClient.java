package dev.jmesh.agent.control;

import dev.jmesh.agent.identity.IdentityStore;
import dev.jmesh.agent.identity.WorkloadCertificate;
import dev.jmesh.agent.identity.WorkloadKeyManager;
import dev.jmesh.agent.json.Json;
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
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.GZIPInputStream;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;

/**
 * The agent API of the control server (docs/control-plane-api.md) over {@link HttpsURLConnection},
 * with fail-over between the configured servers. Call it only from agent threads: the hooks then
 * leave its connections and look-ups alone.
 */
public final class ControlClient {

  private static final String SNAPSHOT_PATH = "/v1/snapshot?";
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
  private static final Duration READ_TIMEOUT = Duration.ofSeconds(15);

  private final List<URI> servers;
  private final IdentityStore identity;
  private final ControlServerTrustManager trust;
  private final AtomicInteger current = new AtomicInteger();
  private final AtomicReference<Factory> socketFactory = new AtomicReference<>();

  /** One socket factory per workload certificate, so pooled connections never outlive it. */
  private record Factory(WorkloadCertificate certificate, SSLSocketFactory factory) {}

  /**
   * @param caSha256 the root hash from the join token, or null
   * @param configuredRoots roots from {@code jmesh.control.ca}
   */
  public ControlClient(
      List<URI> servers,
      String caSha256,
      List<X509Certificate> configuredRoots,
      IdentityStore identity) {
    this.servers = List.copyOf(servers);
    this.identity = identity;
    this.trust = new ControlServerTrustManager(caSha256, configuredRoots);
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
    HttpsURLConnection connection =
        (HttpsURLConnection) URI.create(server + path).toURL().openConnection();
    connection.setSSLSocketFactory(socketFactory());
    // A verifier that accepts nothing on its own: the JDK's own rules (the server certificate's
    // SANs) then decide, and no mismatch is ever waved through.
    connection.setHostnameVerifier((host, session) -> false);
    connection.setConnectTimeout(
        (int) Math.min(CONNECT_TIMEOUT.toMillis(), readTimeout.toMillis()));
    connection.setReadTimeout((int) readTimeout.toMillis());
    connection.setUseCaches(false);
    connection.setRequestMethod(method);
    connection.setRequestProperty("Accept", "application/json");
    // Snapshots carry every live instance: hundreds of KB of JSON that gzip shrinks tenfold. The
    // server compresses what is worth it; decode() reads either.
    connection.setRequestProperty("Accept-Encoding", "gzip");
    if (bearer != null) {
      connection.setRequestProperty("Authorization", "Bearer " + bearer);
    }
    if (body != null) {
      byte[] bytes = Json.write(body);
      connection.setDoOutput(true);
      connection.setRequestProperty("Content-Type", "application/json");
      // Not streaming mode: in streaming mode a 401 answer's body (the server's reason for
      // refusing the join token) is dropped by HttpURLConnection.
      try (OutputStream out = connection.getOutputStream()) {
        out.write(bytes);
      }
    }
    int status = connection.getResponseCode();
    if (status == HttpURLConnection.HTTP_NOT_MODIFIED) {
      drain(connection.getInputStream());
      return null;
    }
    if (status >= 400) {
      String message = errorMessage(connection);
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
    byte[] bytes;
    try (InputStream in = connection.getInputStream()) {
      bytes = in.readAllBytes();
    }
    if (type == Void.class || status == HttpURLConnection.HTTP_NO_CONTENT) {
      return null;
    }
    return Json.read(decode(connection, bytes), type);
  }

  /** The body as sent, un-gzipped when the server says {@code Content-Encoding: gzip}. */
  static byte[] decode(HttpURLConnection connection, byte[] body) throws IOException {
    String encoding = connection.getContentEncoding();
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

  private static String errorMessage(HttpURLConnection connection) {
    try (InputStream err = connection.getErrorStream()) {
      if (err == null) {
        return "(no body)";
      }
      byte[] bytes = decode(connection, err.readAllBytes());
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

  private static void drain(InputStream in) throws IOException {
    try (in) {
      in.readAllBytes();
    }
  }

  private SSLSocketFactory socketFactory() throws IOException {
    WorkloadCertificate certificate = identity.certificate();
    Factory f = socketFactory.get();
    if (f != null && f.certificate() == certificate) {
      return f.factory();
    }
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(
          new KeyManager[] {new WorkloadKeyManager(identity)}, new TrustManager[] {trust}, null);
      Factory fresh = new Factory(certificate, context.getSocketFactory());
      socketFactory.set(fresh);
      return fresh.factory();
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot set up TLS to the control server", e);
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
    // JDK 17 says "HTTPS hostname wrong", JDK 25 "Wrong HTTPS hostname".
    if (message.startsWith("HTTPS hostname wrong") || message.startsWith("Wrong HTTPS hostname")) {
      return "the agent does not trust control server "
          + server
          + ": its certificate is not issued for "
          + server.getHost()
          + " (give the server that name with 'serve --san "
          + server.getHost()
          + "', or use a name it has)";
    }
    return "cannot reach control server " + server + ": " + message;
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }
}
