package dev.jmesh.agent.outbound;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jmesh.agent.config.AgentConfig;
import dev.jmesh.agent.config.TlsProvider;
import dev.jmesh.agent.identity.IdentityStore;
import dev.jmesh.agent.inbound.InboundContext;
import dev.jmesh.agent.inbound.InboundListeners;
import dev.jmesh.agent.inbound.InboundPolicy;
import dev.jmesh.agent.inbound.PortDecision;
import dev.jmesh.agent.inbound.TestApp;
import dev.jmesh.agent.runtime.AgentThreadFactory;
import dev.jmesh.agent.runtime.CapturedStderr;
import dev.jmesh.agent.runtime.RecentConnections;
import dev.jmesh.agent.runtime.StartupDeadline;
import dev.jmesh.agent.tls.MeshTlsContexts;
import dev.jmesh.agent.tls.TestClients;
import dev.jmesh.agent.tls.TestPki;
import dev.jmesh.agent.tls.TlsEngine;
import dev.jmesh.policy.MtlsMode;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** App → egress (client agent) → mTLS → inbound (server agent) → app, in one JVM. */
class EgressTest {

  private final TestPki pki = new TestPki();
  private final FakeDirectory directory = new FakeDirectory();
  private final RecentConnections outbound = new RecentConnections(10);
  private EventLoopGroup loops;
  private TestApp app;
  private InboundListeners server;
  private IdentityStore serverIdentity;
  private IdentityStore clientIdentity;
  private EgressListeners client;
  private InetSocketAddress serverAddress;

  /** The agent's event loops for these tests: NIO here, epoll in the subclass. */
  EventLoopGroup newLoops(AgentThreadFactory threads) {
    return new NioEventLoopGroup(2, threads);
  }

  @BeforeEach
  void setUp() throws IOException {
    loops = newLoops(new AgentThreadFactory("test-egress"));
    app = new TestApp();
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      serverAddress = new InetSocketAddress(InetAddress.getLoopbackAddress(), s.getLocalPort());
    }
    clientIdentity = pki.identity("default", "web");
    client =
        new EgressListeners(
            "default",
            new EgressContext(
                directory,
                new MeshTlsContexts(clientIdentity, TlsEngine.choose(TlsProvider.AUTO)),
                clientIdentity.firstCertificate(),
                new StartupDeadline(Duration.ofSeconds(5)),
                outbound,
                loops,
                loops));
  }

  /** Starts the "orders" side: STRICT inbound in front of the app, with identity {@code sa}. */
  private void startServer(String serviceAccount) {
    serverIdentity = pki.identity("default", serviceAccount);
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
                serviceAccount,
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
                new MeshTlsContexts(serverIdentity, TlsEngine.choose(TlsProvider.AUTO)),
                serverIdentity.firstCertificate(),
                new StartupDeadline(Duration.ofSeconds(5)),
                new RecentConnections(10),
                loops,
                loops,
                Duration.ofSeconds(5)),
            () -> {});
    server.beforeBind(null, serverAddress);
    server.afterBind(null, serverAddress, app.address(), null);
    directory.add("default", "orders", "127.0.0.1", serverAddress.getPort());
  }

  @AfterEach
  void tearDown() {
    client.closeAll();
    if (server != null) {
      server.closeAll();
    }
    app.close();
    loops.shutdownGracefully(0, 1, TimeUnit.SECONDS);
  }

  private String get(InetSocketAddress target) throws IOException {
    InetSocketAddress egress = (InetSocketAddress) client.beforeConnect(target);
    assertTrue(egress.getAddress().isLoopbackAddress());
    try (Socket socket = TestClients.plain(egress)) {
      return TestClients.get(socket, "/");
    }
  }

  @Test
  void meshNameReachesTheServiceOverMutualTls() throws IOException {
    startServer("orders");
    String response = get(InetSocketAddress.createUnresolved("orders", 80));
    assertTrue(response.startsWith("HTTP/1.1 200"), response);
    assertTrue(response.endsWith("URI=spiffe://cluster.local/ns/default/sa/web"), response);
    RecentConnections.Entry entry = outbound.list().get(0);
    assertEquals("spiffe://cluster.local/ns/default/sa/orders", entry.peerSpiffeId());
    assertTrue(entry.tlsProtocol().startsWith("TLSv1."), entry.tlsProtocol());
  }

  @Test
  void resolvingAMeshNameGivesAVipThatConnectsToTheService() throws IOException {
    startServer("orders");
    InetAddress[] addresses = client.resolve("orders.default.svc.cluster.local");
    assertEquals(1, addresses.length);
    assertArrayEquals(new byte[] {127, (byte) 255, 0, 1}, addresses[0].getAddress());
    assertEquals("orders.default.svc.cluster.local", addresses[0].getHostName());
    assertArrayEquals(addresses[0].getAddress(), client.resolve("orders")[0].getAddress());
    String response = get(new InetSocketAddress(addresses[0], serverAddress.getPort()));
    assertTrue(response.startsWith("HTTP/1.1 200"), response);
  }

  @Test
  void namesOutsideTheMeshAreLeftAlone() throws IOException {
    startServer("orders");
    assertNull(client.resolve("example.com"));
    InetSocketAddress external = InetSocketAddress.createUnresolved("example.com", 443);
    assertEquals(external, client.beforeConnect(external));
    InetSocketAddress literal = new InetSocketAddress("127.0.0.1", 5432);
    assertEquals(literal, client.beforeConnect(literal));
  }

  @Test
  void aServerWithTheWrongIdentityIsRefused() throws IOException {
    startServer("payments");
    try (CapturedStderr stderr = new CapturedStderr()) {
      assertEquals("", get(InetSocketAddress.createUnresolved("orders", 80)));
      assertTrue(
          stderr
              .text()
              .contains(
                  "presented spiffe://cluster.local/ns/default/sa/payments,"
                      + " expected spiffe://cluster.local/ns/default/sa/orders"),
          stderr.text());
    }
    assertEquals(0, app.requests.get());
    assertTrue(
        outbound
            .list()
            .get(0)
            .security()
            .contains("expected spiffe://cluster.local/ns/default/sa/orders"));
  }

  @Test
  void aServiceWithoutInstancesClosesTheConnection() throws IOException {
    startServer("orders");
    directory.instances.clear();
    directory.add("default", "orders", "127.0.0.1", 1, 2);
    // A port of its own per run: the warning is once per JVM, and the epoll subclass runs this too.
    int port = UNSERVED_PORTS.getAndIncrement();
    try (CapturedStderr stderr = new CapturedStderr()) {
      assertEquals("", get(InetSocketAddress.createUnresolved("orders", port)));
      assertTrue(stderr.text().contains("no live instance serves port " + port), stderr.text());
    }
  }

  private static final AtomicInteger UNSERVED_PORTS = new AtomicInteger(80);

  @Test
  void certificateRotationMidTrafficLosesNoRequest() throws Exception {
    startServer("orders");
    int threads = 3;
    int perThread = 20;
    ExecutorService traffic = Executors.newFixedThreadPool(threads);
    List<Future<Integer>> results = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      boolean rotates = t == 0;
      results.add(
          traffic.submit(
              () -> {
                int ok = 0;
                for (int i = 0; i < perThread; i++) {
                  if (rotates && i % 3 == 0) {
                    serverIdentity.update(pki.workload("default", "orders"), null);
                    clientIdentity.update(pki.workload("default", "web"), null);
                  }
                  if (get(InetSocketAddress.createUnresolved("orders", 80))
                      .startsWith("HTTP/1.1 200")) {
                    ok++;
                  }
                }
                return ok;
              }));
    }
    int ok = 0;
    for (Future<Integer> result : results) {
      ok += result.get(60, TimeUnit.SECONDS);
    }
    traffic.shutdown();
    assertEquals(threads * perThread, ok);
    assertEquals(threads * perThread, app.requests.get());
  }

  @Test
  void aServiceThatIsReRegisteringIsWaitedForBriefly() throws Exception {
    startServer("orders");
    assertTrue(get(InetSocketAddress.createUnresolved("orders", 80)).startsWith("HTTP/1.1 200"));
    directory.instances.clear();
    assertTrue(client.resolve("orders") != null, "a known service stays a mesh name");

    InetSocketAddress egress =
        (InetSocketAddress) client.beforeConnect(InetSocketAddress.createUnresolved("orders", 80));
    try (Socket socket = TestClients.plain(egress)) {
      socket
          .getOutputStream()
          .write("GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n".getBytes());
      directory.add("default", "orders", "127.0.0.1", serverAddress.getPort());
      assertTrue(TestClients.readAll(socket.getInputStream()).startsWith("HTTP/1.1 200"));
    }
  }
}
