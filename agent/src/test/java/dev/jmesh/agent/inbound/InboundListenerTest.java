package dev.jmesh.agent.inbound;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jmesh.agent.config.AgentConfig;
import dev.jmesh.agent.config.TlsProvider;
import dev.jmesh.agent.identity.IdentityStore;
import dev.jmesh.agent.runtime.AgentThreadFactory;
import dev.jmesh.agent.runtime.CapturedStderr;
import dev.jmesh.agent.runtime.RecentConnections;
import dev.jmesh.agent.outbound.FakeDirectory;
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
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class InboundListenerTest {

  static final class FixedPolicy implements InboundPolicy {
    volatile PortDecision decision;
    final CompletableFuture<Void> first = CompletableFuture.completedFuture(null);

    @Override
    public PortDecision decide(int port) {
      return decision;
    }

    @Override
    public CompletableFuture<?> firstSnapshot() {
      return first;
    }
  }

  private final TestPki pki = new TestPki();
  private final FixedPolicy policy = new FixedPolicy();
  private EventLoopGroup loops;
  private InboundListeners listeners;
  private TestApp app;
  private InetSocketAddress requested;
  private RecentConnections connections;
  private final IstioMetrics metrics = new IstioMetrics();

  /** The sum of istio_requests_total samples that have these labels, on the inbound side. */
  private double requests(String... labelPairs) {
    Map<String, String> expected = new java.util.HashMap<>();
    expected.put("reporter", "destination");
    for (int i = 0; i < labelPairs.length; i += 2) {
      expected.put(labelPairs[i], labelPairs[i + 1]);
    }
    return new PrometheusText(metrics.scrape()).sum("istio_requests_total", expected);
  }

  /** The agent's event loops for these tests: NIO here, epoll in the subclass. */
  EventLoopGroup newLoops(AgentThreadFactory threads) {
    return new NioEventLoopGroup(2, threads);
  }

  @BeforeEach
  void setUp() throws IOException {
    loops = newLoops(new AgentThreadFactory("test-inbound"));
    connections = new RecentConnections(10);
    listeners = listeners(policy, Duration.ofSeconds(5));
    app = new TestApp();
    requested = new InetSocketAddress(InetAddress.getLoopbackAddress(), freePort());
  }

  private InboundListeners listeners(InboundPolicy inboundPolicy, Duration startupTimeout) {
    IdentityStore identity = pki.identity("default", "orders");
    MeshTlsContexts tls = new MeshTlsContexts(identity, TlsEngine.choose(TlsProvider.AUTO));
    InboundContext context =
        new InboundContext(
            inboundPolicy,
            tls,
            identity.firstCertificate(),
            new StartupDeadline(startupTimeout),
            connections,
            loops,
            loops,
            Duration.ofSeconds(5),
            new Telemetry(
                metrics,
                AccessLog.off(),
                "orders",
                "default",
                Map.of("app", "orders"),
                tls::localSpiffeId,
                new FakeDirectory()));
    return new InboundListeners(config(), context, () -> {});
  }

  @AfterEach
  void tearDown() {
    listeners.closeAll();
    app.close();
    loops.shutdownGracefully(0, 1, TimeUnit.SECONDS);
  }

  static AgentConfig config() {
    return new AgentConfig(
        true,
        "orders",
        "default",
        Map.of(),
        List.of(java.net.URI.create("https://localhost:1")),
        null,
        null,
        Set.of(),
        "127.0.0.1",
        -1,
        null,
        Duration.ofSeconds(5), AgentConfig.DEFAULT_ACCESS_LOG, 1.0, AgentConfig.DEFAULT_STATS_INTERVAL, TlsProvider.AUTO, null);
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private void meshTheApp() {
    SocketAddress moved = listeners.beforeBind(null, requested);
    assertEquals(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), moved);
    listeners.afterBind(null, requested, app.address(), null);
  }

  private SSLContext client(String service) {
    return TestClients.mtlsContext(pki.workload("default", service), pki.bundle());
  }

  @Test
  void strictServesMeshClientsAndTellsTheAppWhoCalled() throws IOException {
    policy.decision = new PortDecision(MtlsMode.STRICT, "default/strict");
    meshTheApp();
    try (Socket socket = TestClients.mtls(requested, client("web"))) {
      String response = TestClients.get(socket, "/", "x-forwarded-client-cert: By=spoofed");
      assertTrue(response.startsWith("HTTP/1.1 200"), response);
      assertTrue(
          response.endsWith(
              "xfcc=By=spiffe://cluster.local/ns/default/sa/orders;"
                  + "URI=spiffe://cluster.local/ns/default/sa/web"),
          response);
    }
    RecentConnections.Entry entry = connections.list().get(0);
    assertEquals("spiffe://cluster.local/ns/default/sa/web", entry.peerSpiffeId());
    assertEquals("mutual_tls", entry.security());
  }

  @Test
  void strictRefusesPlaintextBeforeAByteReachesTheApp() throws IOException {
    policy.decision = new PortDecision(MtlsMode.STRICT, "default/strict");
    meshTheApp();
    try (Socket socket = TestClients.plain(requested)) {
      String response = TestClients.get(socket, "/");
      assertFalse(response.contains("xfcc"), response);
    }
    assertEquals(0, app.requests.get());
  }

  @Test
  void strictRefusesACertificateFromAnotherCa() throws IOException {
    policy.decision = new PortDecision(MtlsMode.STRICT, "default/strict");
    meshTheApp();
    TestPki other = new TestPki("cluster.local", "another root");
    SSLContext stranger = TestClients.mtlsContext(other.workload("default", "web"), pki.bundle());
    assertThrows(
        IOException.class,
        () -> {
          try (Socket socket = TestClients.mtls(requested, stranger)) {
            String response = TestClients.get(socket, "/");
            if (response.isEmpty()) {
              throw new SSLException("closed");
            }
          }
        });
    assertEquals(0, app.requests.get());
  }

  @Test
  void permissiveServesPlaintextWithoutClientCertHeader() throws IOException {
    policy.decision = new PortDecision(MtlsMode.PERMISSIVE, "none");
    meshTheApp();
    try (Socket socket = TestClients.plain(requested)) {
      String response = TestClients.get(socket, "/", "X-Forwarded-Client-Cert: By=spoofed");
      assertTrue(response.endsWith("xfcc=null"), response);
    }
    assertEquals(
        1.0,
        requests(
            "response_code", "200",
            "source_principal", "unknown",
            "destination_app", "orders",
            "connection_security_policy", "none"));
  }

  @Test
  void permissiveServesMutualTlsWithClientCertHeader() throws IOException {
    policy.decision = new PortDecision(MtlsMode.PERMISSIVE, "none");
    meshTheApp();
    try (Socket socket = TestClients.mtls(requested, client("web"))) {
      String response = TestClients.get(socket, "/");
      assertTrue(response.endsWith("URI=spiffe://cluster.local/ns/default/sa/web"), response);
    }
  }

  @Test
  void disablePassesPlaintextThrough() throws IOException {
    policy.decision = new PortDecision(MtlsMode.DISABLE, "default/off");
    meshTheApp();
    try (Socket socket = TestClients.plain(requested)) {
      assertTrue(TestClients.get(socket, "/").endsWith("xfcc=null"));
    }
  }

  @Test
  void modeChangeAppliesToNewConnections() throws IOException {
    policy.decision = new PortDecision(MtlsMode.PERMISSIVE, "none");
    meshTheApp();
    try (Socket socket = TestClients.plain(requested)) {
      assertTrue(TestClients.get(socket, "/").startsWith("HTTP/1.1 200"));
    }
    policy.decision = new PortDecision(MtlsMode.STRICT, "default/strict");
    try (Socket socket = TestClients.plain(requested)) {
      assertEquals("", TestClients.get(socket, "/"));
    }
  }

  @Test
  void connectionsBeforeTheAppFinishedBindingWaitForIt() throws Exception {
    policy.decision = new PortDecision(MtlsMode.PERMISSIVE, "none");
    listeners.beforeBind(null, requested);
    ExecutorService executor = Executors.newSingleThreadExecutor();
    try {
      Future<String> response =
          executor.submit(
              () -> {
                try (Socket socket = TestClients.plain(requested)) {
                  return TestClients.get(socket, "/");
                }
              });
      assertThrows(
          java.util.concurrent.TimeoutException.class,
          () -> response.get(200, TimeUnit.MILLISECONDS));
      listeners.afterBind(null, requested, app.address(), null);
      assertTrue(response.get(10, TimeUnit.SECONDS).startsWith("HTTP/1.1 200"));
    } finally {
      executor.shutdownNow();
    }
    assertEquals(List.of(requested.getPort()), listeners.ports());
  }

  @Test
  void anAddressInUseIsLeftToTheApplicationWithoutAWarning() throws IOException {
    // The application's own bind then fails with its BindException; the agent adds nothing.
    try (ServerSocket taken = new ServerSocket();
        CapturedStderr stderr = new CapturedStderr()) {
      taken.bind(requested);
      assertEquals(requested, listeners.beforeBind(null, requested));
      assertEquals("", stderr.text());
    }
  }

  @Test
  void nonHttpBytesArePipedUnchanged() throws Exception {
    policy.decision = new PortDecision(MtlsMode.PERMISSIVE, "none");
    try (ServerSocket echo = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      listeners.beforeBind(null, requested);
      listeners.afterBind(null, requested, echo.getLocalSocketAddress(), null);
      Thread echoThread =
          new Thread(
              () -> {
                try (Socket s = echo.accept()) {
                  s.getInputStream().transferTo(s.getOutputStream());
                } catch (IOException ignored) {
                  // test over
                }
              });
      echoThread.start();
      try (Socket socket = TestClients.plain(requested)) {
        byte[] payload = "\u0001binary\r\n\r\nGET / HTTP/1.1\r\n".getBytes();
        socket.getOutputStream().write(payload);
        socket.shutdownOutput();
        assertEquals(new String(payload), TestClients.readAll(socket.getInputStream()));
      }
      echoThread.join(5000);
    }
  }

  @Test
  void withoutAnySnapshotByTheDeadlineThePortIsPermissive() throws IOException {
    listeners.closeAll();
    InboundPolicy noSnapshotYet =
        new InboundPolicy() {
          @Override
          public PortDecision decide(int port) {
            return null;
          }

          @Override
          public CompletableFuture<?> firstSnapshot() {
            return new CompletableFuture<>();
          }
        };
    listeners = listeners(noSnapshotYet, Duration.ofMillis(300));
    meshTheApp();
    try (Socket socket = TestClients.plain(requested)) {
      assertTrue(TestClients.get(socket, "/").endsWith("xfcc=null"));
    }
    try (Socket socket = TestClients.mtls(requested, client("web"))) {
      assertTrue(
          TestClients.get(socket, "/").endsWith("URI=spiffe://cluster.local/ns/default/sa/web"));
    }
  }

  @Test
  void anUpgradedConnectionIsPipedRawAfterTheUpgradeRequest() throws Exception {
    policy.decision = new PortDecision(MtlsMode.PERMISSIVE, "none");
    try (ServerSocket upgrading = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      listeners.beforeBind(null, requested);
      listeners.afterBind(null, requested, upgrading.getLocalSocketAddress(), null);
      CompletableFuture<String> seenRequest = new CompletableFuture<>();
      Thread appThread =
          new Thread(
              () -> {
                try (Socket s = upgrading.accept()) {
                  StringBuilder head = new StringBuilder();
                  while (!head.toString().endsWith("\r\n\r\n")) {
                    head.append((char) s.getInputStream().read());
                  }
                  seenRequest.complete(head.toString());
                  s.getOutputStream()
                      .write(
                          "HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n"
                              .getBytes(StandardCharsets.US_ASCII));
                  s.getInputStream().transferTo(s.getOutputStream());
                } catch (IOException e) {
                  seenRequest.completeExceptionally(e);
                }
              });
      appThread.start();
      try (Socket socket = TestClients.plain(requested)) {
        String tail = "\u0000\u0001 not HTTP at all \r\n\r\n";
        socket
            .getOutputStream()
            .write(
                ("GET /ws HTTP/1.1\r\nHost: test\r\nUpgrade: echo\r\nConnection: Upgrade\r\n"
                        + "X-Forwarded-Client-Cert: By=spoofed\r\n\r\n"
                        + tail)
                    .getBytes(StandardCharsets.ISO_8859_1));
        socket.shutdownOutput();
        String response = TestClients.readAll(socket.getInputStream());
        assertTrue(response.startsWith("HTTP/1.1 101"), response);
        assertTrue(response.endsWith(tail), response);
      }
      String request = seenRequest.get(5, TimeUnit.SECONDS);
      assertFalse(
          request.toLowerCase(java.util.Locale.ROOT).contains("x-forwarded-client-cert"), request);
      appThread.join(5000);
    }
    assertEquals(1.0, requests("response_code", "101"));
    assertEquals(1.0, requests());
  }

  @Test
  void anUpgradeTheAppDeclinesKeepsEveryRequestDecoded() throws IOException {
    policy.decision = new PortDecision(MtlsMode.STRICT, "default/strict");
    meshTheApp();
    try (Socket socket = TestClients.mtls(requested, client("web"))) {
      socket
          .getOutputStream()
          .write(
              ("GET /first HTTP/1.1\r\nHost: test\r\nConnection: Upgrade, HTTP2-Settings\r\n"
                      + "Upgrade: h2c\r\nHTTP2-Settings: AAEAAEAAAAIAAAAA\r\n\r\n"
                      + "GET /second HTTP/1.1\r\nHost: test\r\nConnection: close\r\n"
                      + "X-Forwarded-Client-Cert: By=spoofed\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      String responses = TestClients.readAll(socket.getInputStream());
      String xfcc =
          "xfcc=By=spiffe://cluster.local/ns/default/sa/orders;"
              + "URI=spiffe://cluster.local/ns/default/sa/web";
      assertEquals(
          2, responses.split(java.util.regex.Pattern.quote(xfcc), -1).length - 1, responses);
    }
    assertEquals(2, app.requests.get());
    assertEquals(
        2.0,
        requests(
            "response_code", "200",
            "source_principal", "spiffe://cluster.local/ns/default/sa/web",
            "connection_security_policy", "mutual_tls"));
  }
}
