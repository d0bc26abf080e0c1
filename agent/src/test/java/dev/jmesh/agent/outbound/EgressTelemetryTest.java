package dev.jmesh.agent.outbound;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jmesh.agent.config.AgentConfig;
import dev.jmesh.agent.config.TlsProvider;
import dev.jmesh.agent.identity.IdentityStore;
import dev.jmesh.agent.inbound.InboundContext;
import dev.jmesh.agent.inbound.InboundListeners;
import dev.jmesh.agent.inbound.InboundPolicy;
import dev.jmesh.agent.inbound.PortDecision;
import dev.jmesh.agent.inbound.TestApp;
import dev.jmesh.agent.runtime.AgentThreadFactory;
import dev.jmesh.agent.runtime.Poll;
import dev.jmesh.agent.runtime.RecentConnections;
import dev.jmesh.agent.runtime.StartupDeadline;
import dev.jmesh.agent.telemetry.AccessLog;
import dev.jmesh.agent.telemetry.IstioMetrics;
import dev.jmesh.agent.tls.TlsEngine;
import dev.jmesh.testing.PrometheusText;
import dev.jmesh.agent.telemetry.Telemetry;
import dev.jmesh.agent.tls.MeshTlsContexts;
import dev.jmesh.agent.tls.TestClients;
import dev.jmesh.agent.tls.TestPki;
import dev.jmesh.policy.MtlsMode;
import io.netty.channel.nio.NioEventLoopGroup;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/**
 * Istio's standard metrics from both agents of one call: app "web" → egress → mTLS → inbound →
 * app "orders", through real Netty and TLS, scraped as Prometheus text.
 */
class EgressTelemetryTest {

  private static final String WEB = "spiffe://cluster.local/ns/default/sa/web";
  private static final String ORDERS = "spiffe://cluster.local/ns/default/sa/orders";

  @TempDir Path tmp;
  private final TestPki pki = new TestPki();
  private final FakeDirectory directory = new FakeDirectory();
  private NioEventLoopGroup loops;
  private TestApp app;
  private InboundListeners server;
  private EgressListeners client;
  private InetSocketAddress serverAddress;
  private IstioMetrics clientMetrics;
  private IstioMetrics serverMetrics;
  private Path accessLog;
  private ServerSocket echo;

  @BeforeEach
  void setUp(TestInfo test) throws IOException {
    String name = test.getTestMethod().orElseThrow().getName();
    boolean raw = name.contains("NotHttp") || name.contains("Drops");
    echo = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    loops = new NioEventLoopGroup(2, new AgentThreadFactory("test-telemetry"));
    app = new TestApp();
    app.server.createContext(
        "/missing",
        exchange -> {
          exchange.sendResponseHeaders(404, -1);
          exchange.close();
        });
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      serverAddress = new InetSocketAddress(InetAddress.getLoopbackAddress(), s.getLocalPort());
    }
    IdentityStore clientIdentity = pki.identity("default", "web");
    MeshTlsContexts clientTls = new MeshTlsContexts(clientIdentity, TlsEngine.choose(TlsProvider.AUTO));
    clientMetrics = new IstioMetrics();
    client =
        new EgressListeners(
            "default",
            new EgressContext(
                directory,
                clientTls,
                clientIdentity.firstCertificate(),
                new StartupDeadline(Duration.ofSeconds(5)),
                new RecentConnections(10),
                loops,
                loops,
                new Telemetry(
                    clientMetrics,
                    AccessLog.off(),
                    "web",
                    "default",
                    Map.of("app", "web"),
                    clientTls::localSpiffeId,
                    directory)));
    IdentityStore serverIdentity = pki.identity("default", "orders");
    MeshTlsContexts serverTls = new MeshTlsContexts(serverIdentity, TlsEngine.choose(TlsProvider.AUTO));
    serverMetrics = new IstioMetrics();
    accessLog = tmp.resolve("access.log");
    InboundPolicy strict =
        new InboundPolicy() {
          @Override
          public PortDecision decide(int port) {
            return new PortDecision(MtlsMode.STRICT, "default/strict");
          }

          @Override
          public CompletableFuture<?> firstSnapshot() {
            return CompletableFuture.completedFuture(null);
          }
        };
    server =
        new InboundListeners(
            new AgentConfig(
                true,
                "orders",
                "default",
                Map.of(),
                List.of(URI.create("https://localhost:1")),
                null,
                null,
                Set.of(),
                "127.0.0.1",
                -1,
                null,
                Duration.ofSeconds(5), AgentConfig.DEFAULT_ACCESS_LOG, 1.0, AgentConfig.DEFAULT_STATS_INTERVAL, TlsProvider.AUTO, null),
            new InboundContext(
                strict,
                serverTls,
                serverIdentity.firstCertificate(),
                new StartupDeadline(Duration.ofSeconds(5)),
                new RecentConnections(10),
                loops,
                loops,
                Duration.ofSeconds(5),
                new Telemetry(
                    serverMetrics,
                    AccessLog.open(accessLog.toString(), 1.0),
                    "orders",
                    "default",
                    Map.of("app", "orders", "version", "v1"),
                    serverTls::localSpiffeId,
                    directory)),
            () -> {});
    server.beforeBind(null, serverAddress);
    server.afterBind(
        null,
        serverAddress,
        raw ? (InetSocketAddress) echo.getLocalSocketAddress() : app.address(),
        null);
    directory.add("default", "orders", "127.0.0.1", serverAddress.getPort());
    directory.add("default", "web", "127.0.0.2", 1);
  }

  @AfterEach
  void tearDown() {
    client.closeAll();
    server.closeAll();
    app.close();
    try {
      echo.close();
    } catch (IOException e) {
      // closing
    }
    loops.shutdownGracefully(0, 1, TimeUnit.SECONDS);
  }

  @Test
  void bothSidesCountEachRequestWithItsResponseCode() throws Exception {
    InetSocketAddress egress =
        (InetSocketAddress) client.beforeConnect(InetSocketAddress.createUnresolved("orders", 80));
    try (Socket socket = TestClients.plain(egress)) {
      for (int i = 0; i < 3; i++) {
        String response = exchange(socket, "GET", "/hello?id=" + i, "req-" + i);
        assertTrue(response.startsWith("HTTP/1.1 200"), response);
      }
      String head = exchange(socket, "HEAD", "/hello", "req-head");
      assertTrue(head.startsWith("HTTP/1.1 200"), head);
      String missing = exchange(socket, "GET", "/missing", "req-404");
      assertTrue(missing.startsWith("HTTP/1.1 404"), missing);
    }
    Poll.until(
        () ->
            new PrometheusText(serverMetrics.scrape())
                    .sum("istio_tcp_connections_closed_total", Map.of())
                == 1.0,
        Duration.ofSeconds(5),
        "the server side to see the connection close");

    PrometheusText source = new PrometheusText(clientMetrics.scrape());
    Map<String, String> sourceLabels =
        Map.of(
            "reporter", "source",
            "source_workload", "web",
            "source_principal", WEB,
            "source_app", "web",
            "destination_workload", "orders",
            "destination_principal", ORDERS,
            "destination_service", "orders.default.svc.cluster.local",
            "request_protocol", "http",
            "connection_security_policy", "unknown");
    assertEquals(4.0, source.sum("istio_requests_total", with(sourceLabels, "response_code", "200")));
    assertEquals(1.0, source.sum("istio_requests_total", with(sourceLabels, "response_code", "404")));
    assertEquals(5.0, source.sum("istio_requests_total", Map.of()));
    assertEquals(
        4.0,
        source.sum(
            "istio_request_duration_milliseconds_count", with(sourceLabels, "response_code", "200")));
    assertTrue(
        source.sum("istio_response_bytes_sum", with(sourceLabels, "response_code", "200")) > 4 * 20);

    PrometheusText destination = new PrometheusText(serverMetrics.scrape());
    Map<String, String> destinationLabels =
        Map.of(
            "reporter", "destination",
            "source_workload", "web",
            "source_workload_namespace", "default",
            "source_principal", WEB,
            "destination_workload", "orders",
            "destination_principal", ORDERS,
            "destination_app", "orders",
            "destination_version", "v1",
            "destination_canonical_revision", "v1",
            "connection_security_policy", "mutual_tls");
    assertEquals(
        4.0, destination.sum("istio_requests_total", with(destinationLabels, "response_code", "200")));
    assertEquals(
        1.0, destination.sum("istio_requests_total", with(destinationLabels, "response_code", "404")));
    assertEquals(5.0, destination.sum("istio_requests_total", Map.of()));
    assertEquals(
        1.0,
        destination.sum(
            "istio_tcp_connections_opened_total",
            Map.of("reporter", "destination", "request_protocol", "tcp")));
    assertTrue(destination.sum("istio_tcp_received_bytes_total", Map.of()) > 5 * 30);
    assertTrue(destination.sum("istio_tcp_sent_bytes_total", Map.of()) > 5 * 30);
    Poll.until(
        () ->
            new PrometheusText(clientMetrics.scrape())
                    .sum("istio_tcp_connections_closed_total", Map.of())
                == 1.0,
        Duration.ofSeconds(5),
        "the client side to see the connection close");

    List<String> lines = Files.readAllLines(accessLog);
    assertEquals(5, lines.size(), String.join("\n", lines));
    JsonNode first = new ObjectMapper().readTree(lines.get(0));
    assertEquals("GET", first.get("method").asText());
    assertEquals("/hello?id=0", first.get("path").asText());
    assertEquals(200, first.get("response_code").asInt());
    assertEquals("req-0", first.get("x_request_id").asText());
    assertEquals(TRACE_ID, first.get("trace_id").asText());
    assertEquals(WEB, first.get("source_principal").asText());
    assertEquals(ORDERS, first.get("destination_principal").asText());
    assertTrue(first.get("bytes_sent").asLong() > 0);
    JsonNode last = new ObjectMapper().readTree(lines.get(4));
    assertEquals(404, last.get("response_code").asInt());
  }

  @Test
  void aConnectionThatIsNotHttpCountsAsTcpOnly() throws Exception {
    Thread echoer =
        new Thread(
            () -> {
              try (Socket s = echo.accept()) {
                s.getInputStream().transferTo(s.getOutputStream());
              } catch (IOException e) {
                // test over
              }
            });
    echoer.start();
    InetSocketAddress egress =
        (InetSocketAddress) client.beforeConnect(InetSocketAddress.createUnresolved("orders", 80));
    try (Socket socket = TestClients.plain(egress)) {
      socket.getOutputStream().write("\u0001\u0002binary hello".getBytes(StandardCharsets.UTF_8));
      socket.getOutputStream().flush();
      byte[] back = socket.getInputStream().readNBytes(14);
      assertEquals("\u0001\u0002binary hello", new String(back, StandardCharsets.UTF_8));
    }
    echoer.join(5000);
    Poll.until(
        () ->
            new PrometheusText(clientMetrics.scrape())
                    .sum("istio_tcp_connections_closed_total", Map.of())
                == 1.0,
        Duration.ofSeconds(5),
        "the client side to see the connection close");
    PrometheusText source = new PrometheusText(clientMetrics.scrape());
    assertEquals(0.0, source.sum("istio_requests_total", Map.of()));
    assertEquals(
        14.0,
        source.sum(
            "istio_tcp_sent_bytes_total",
            Map.of("reporter", "source", "destination_workload", "orders")));
    assertEquals(14.0, source.sum("istio_tcp_received_bytes_total", Map.of()));
  }

  @Test
  void aRequestTheAppDropsCountsAsAnUpstreamDisconnectOnBothSides() throws Exception {
    Thread dropper =
        new Thread(
            () -> {
              try (Socket s = echo.accept()) {
                StringBuilder head = new StringBuilder();
                while (!head.toString().endsWith("\r\n\r\n")) {
                  head.append((char) s.getInputStream().read());
                }
              } catch (IOException e) {
                // test over
              }
            });
    dropper.start();
    InetSocketAddress egress =
        (InetSocketAddress) client.beforeConnect(InetSocketAddress.createUnresolved("orders", 80));
    try (Socket socket = TestClients.plain(egress)) {
      assertEquals("", TestClients.get(socket, "/dropped"));
    }
    dropper.join(5000);
    for (IstioMetrics metrics : List.of(clientMetrics, serverMetrics)) {
      Poll.until(
          () ->
              new PrometheusText(metrics.scrape())
                      .sum(
                          "istio_requests_total",
                          Map.of("response_code", "0", "response_flags", "UC"))
                  == 1.0,
          Duration.ofSeconds(5),
          "a request counted with response_code 0 and UC");
      assertEquals(1.0, new PrometheusText(metrics.scrape()).sum("istio_requests_total", Map.of()));
    }
  }

  private static Map<String, String> with(Map<String, String> labels, String key, String value) {
    java.util.HashMap<String, String> copy = new java.util.HashMap<>(labels);
    copy.put(key, value);
    return copy;
  }

  private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";

  /** One keep-alive request; reads the response by its Content-Length (none for HEAD). */
  private static String exchange(Socket socket, String method, String path, String requestId)
      throws IOException {
    OutputStream out = socket.getOutputStream();
    out.write(
        (method
                + " "
                + path
                + " HTTP/1.1\r\nHost: orders\r\nx-request-id: "
                + requestId
                + "\r\ntraceparent: 00-"
                + TRACE_ID
                + "-00f067aa0ba902b7-01\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
    out.flush();
    InputStream in = socket.getInputStream();
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        break;
      }
      head.write(b);
    }
    String headers = head.toString(StandardCharsets.US_ASCII);
    int length = 0;
    for (String line : headers.split("\r\n")) {
      if (line.toLowerCase().startsWith("content-length:")) {
        length = Integer.parseInt(line.substring(15).trim());
      }
    }
    if (method.equals("HEAD")) {
      length = 0;
    }
    return headers + new String(in.readNBytes(length), StandardCharsets.UTF_8);
  }
}
