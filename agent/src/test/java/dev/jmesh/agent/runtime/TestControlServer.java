package dev.jmesh.agent.runtime;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jmesh.agent.config.AgentConfig;
import dev.jmesh.agent.config.TlsProvider;
import dev.jmesh.api.JoinToken;
import dev.jmesh.control.ControlServer;
import dev.jmesh.control.ServerSettings;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** The real control server in this JVM, with operator calls for tests. */
public final class TestControlServer implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();
  public final ControlServer server;
  private final String adminToken;
  private final HttpClient http;

  public TestControlServer(Path dataDir, Duration certTtl) throws Exception {
    this(dataDir, certTtl, "127.0.0.1", 0);
  }

  public TestControlServer(Path dataDir, Duration certTtl, String bindAddress, int port)
      throws Exception {
    this(dataDir, certTtl, bindAddress, port, ServerSettings.defaults(dataDir).trustDomain());
  }

  public TestControlServer(
      Path dataDir, Duration certTtl, String bindAddress, int port, String trustDomain)
      throws Exception {
    ServerSettings defaults = ServerSettings.defaults(dataDir);
    server =
        ControlServer.start(
            new ServerSettings(
                dataDir,
                bindAddress,
                port,
                trustDomain,
                certTtl,
                Duration.ofSeconds(1),
                null,
                null,
                List.of(),
                defaults.clock()));
    adminToken = Files.readString(dataDir.resolve("admin-token")).trim();
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("root", server.authority().rootCertificate());
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext ssl = SSLContext.getInstance("TLS");
    ssl.init(null, tmf.getTrustManagers(), null);
    http = HttpClient.newBuilder().sslContext(ssl).build();
  }

  public URI url() {
    return URI.create("https://127.0.0.1:" + server.port());
  }

  public String joinToken(String namespace, String service) throws Exception {
    String body =
        JSON.writeValueAsString(
            Map.of("namespace", namespace, "service", service, "ttlSeconds", 3600));
    String response = operator("POST", "/v1/tokens", body, "application/json");
    return JSON.readTree(response).path("token").asText();
  }

  public void apply(String yaml) throws Exception {
    operator("POST", "/v1/policies?namespace=default", yaml, "application/yaml");
  }

  /** An operator GET (admin token); the body of a 2xx answer. */
  public String get(String path) throws Exception {
    return operator("GET", path, "", "application/json");
  }

  private String operator(String method, String path, String body, String type) throws Exception {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(URI.create(url() + path))
                .method(method, HttpRequest.BodyPublishers.ofString(body))
                .header("Authorization", "Bearer " + adminToken)
                .header("Content-Type", type)
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() >= 300) {
      throw new AssertionError(
          method + " " + path + ": " + response.statusCode() + " " + response.body());
    }
    return response.body();
  }

  /** Agent settings for {@code namespace/service} joining this server. */
  public AgentConfig agentConfig(String namespace, String service, Duration certTtl)
      throws Exception {
    return agentConfig(namespace, service, certTtl, url());
  }

  /** As {@link #agentConfig(String, String, Duration)}, reaching this server through {@code url}. */
  public AgentConfig agentConfig(String namespace, String service, Duration certTtl, URI url)
      throws Exception {
    return new AgentConfig(
        true,
        service,
        namespace,
        Map.of("version", "v1"),
        List.of(url),
        JoinToken.parse(joinToken(namespace, service)),
        null,
        Set.of(),
        "127.0.0.1",
        0,
        certTtl,
        Duration.ofSeconds(10), AgentConfig.DEFAULT_ACCESS_LOG, 1.0, AgentConfig.DEFAULT_STATS_INTERVAL, TlsProvider.AUTO, null);
  }

  @Override
  public void close() {
    server.close();
  }
}
