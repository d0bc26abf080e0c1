package dev.jmesh.agent.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jmesh.agent.config.AgentConfig;
import dev.jmesh.agent.config.TlsProvider;
import dev.jmesh.agent.inbound.TestApp;
import dev.jmesh.agent.tls.TestClients;
import dev.jmesh.policy.MtlsMode;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two agents (orders and web) and the real control server, in one JVM. */
class MeshRuntimeTest {

  private static final Duration WAIT = Duration.ofSeconds(20);
  @TempDir Path dataDir;
  private TestControlServer control;
  private final List<MeshRuntime> runtimes = new ArrayList<>();
  private TestApp app;

  @BeforeEach
  void setUp() throws Exception {
    control = new TestControlServer(dataDir, Duration.ofHours(1));
    app = new TestApp();
  }

  @AfterEach
  void tearDown() {
    runtimes.forEach(MeshRuntime::stop);
    app.close();
    control.close();
  }

  private MeshRuntime start(String service, Duration certTtl) throws Exception {
    MeshRuntime runtime = MeshRuntime.start(control.agentConfig("default", service, certTtl));
    runtimes.add(runtime);
    return runtime;
  }

  /** Starts "orders" with the test app behind its inbound listener; returns the original port. */
  private InetSocketAddress startOrders(MeshRuntime orders) throws IOException {
    InetSocketAddress requested;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      requested = new InetSocketAddress(InetAddress.getLoopbackAddress(), s.getLocalPort());
    }
    orders.inboundHook().beforeBind(null, requested);
    orders.inboundHook().afterBind(null, requested, app.address(), null);
    return requested;
  }

  private static boolean knowsInstance(MeshRuntime runtime, String service, int port) {
    return runtime.mesh().instances("default", service).stream()
        .anyMatch(i -> i.ports().contains(port));
  }

  private static String getVia(MeshRuntime client, String host, int port) throws IOException {
    InetSocketAddress egress =
        (InetSocketAddress)
            client.outboundHook().beforeConnect(InetSocketAddress.createUnresolved(host, port));
    try (Socket socket = TestClients.plain(egress)) {
      return TestClients.get(socket, "/");
    }
  }

  @Test
  void twoAgentsJoinRegisterAndTalkOverMutualTls() throws Exception {
    MeshRuntime orders = start("orders", null);
    MeshRuntime web = start("web", null);
    InetSocketAddress ordersPort = startOrders(orders);
    Poll.until(() -> orders.isReady() && web.isReady(), WAIT, "both agents ready");
    Poll.until(
        () -> knowsInstance(web, "orders", ordersPort.getPort()),
        WAIT,
        "web sees the orders instance with its original port");

    String response = getVia(web, "orders", 80);

    assertTrue(response.startsWith("HTTP/1.1 200"), response);
    assertTrue(
        response.endsWith(
            "xfcc=By=spiffe://cluster.local/ns/default/sa/orders;"
                + "URI=spiffe://cluster.local/ns/default/sa/web"),
        response);
  }

  /**
   * Starts "orders" through a proxy that holds the control calls, binds the app and opens a
   * plaintext connection while the agent has neither certificate nor snapshot, then lets the join
   * through and returns what that connection got for a GET.
   */
  private String plaintextGetMadeBeforeTheFirstSnapshot() throws Exception {
    try (HeldProxy proxy = new HeldProxy(control.url())) {
      MeshRuntime orders =
          MeshRuntime.start(control.agentConfig("default", "orders", null, proxy.url()));
      runtimes.add(orders);
      InetSocketAddress ordersPort = startOrders(orders);
      try (Socket socket = TestClients.plain(ordersPort)) {
        assertFalse(orders.mesh().hasSnapshot(), "the snapshot arrived through a held proxy");
        assertEquals(null, orders.identity().certificate());
        proxy.release();
        String response = TestClients.get(socket, "/");
        assertTrue(orders.mesh().hasSnapshot(), "answered before the first snapshot");
        return response;
      }
    }
  }

  @Test
  void aPlaintextConnectionMadeBeforeTheFirstSnapshotIsServedOnceItSaysPermissive()
      throws Exception {
    control.apply(
        "apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata:\n  name: default\n"
            + "spec:\n  mtls:\n    mode: PERMISSIVE\n");

    String response = plaintextGetMadeBeforeTheFirstSnapshot();

    assertTrue(response.startsWith("HTTP/1.1 200"), response);
  }

  @Test
  void aPlaintextConnectionMadeBeforeTheFirstSnapshotIsRefusedOnceItSaysStrict()
      throws Exception {
    control.apply(
        "apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata:\n  name: default\n"
            + "spec:\n  mtls:\n    mode: STRICT\n");

    String response = plaintextGetMadeBeforeTheFirstSnapshot();

    assertEquals("", response);
  }

  @Test
  void strictPolicyFromTheControlServerRefusesPlaintext() throws Exception {
    MeshRuntime orders = start("orders", null);
    InetSocketAddress ordersPort = startOrders(orders);
    Poll.until(orders::isReady, WAIT, "orders ready");
    try (Socket socket = TestClients.plain(ordersPort)) {
      assertTrue(TestClients.get(socket, "/").startsWith("HTTP/1.1 200"));
    }

    control.apply(
        "apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata:\n  name: default\n"
            + "spec:\n  mtls:\n    mode: STRICT\n");
    Poll.until(
        () -> orders.mesh().decide(ordersPort.getPort()).mode() == MtlsMode.STRICT,
        WAIT,
        "the STRICT policy to arrive");

    try (Socket socket = TestClients.plain(ordersPort)) {
      assertEquals("", TestClients.get(socket, "/"));
    }
  }

  @Test
  void shortLivedCertificatesAreRenewedWithoutLosingTraffic() throws Exception {
    MeshRuntime orders = start("orders", Duration.ofSeconds(4));
    MeshRuntime web = start("web", Duration.ofSeconds(4));
    InetSocketAddress ordersPort = startOrders(orders);
    Poll.until(
        () ->
            orders.isReady() && web.isReady() && knowsInstance(web, "orders", ordersPort.getPort()),
        WAIT,
        "ready");
    String firstSerial = web.identity().certificate().serial();
    while (web.identity().certificate().serial().equals(firstSerial)) {
      assertTrue(getVia(web, "orders", 80).startsWith("HTTP/1.1 200"));
    }
    for (int i = 0; i < 5; i++) {
      assertTrue(getVia(web, "orders", 80).startsWith("HTTP/1.1 200"));
    }
    assertNotEquals(firstSerial, web.identity().certificate().serial());
  }

  @Test
  void adminEndpointReportsReadinessAndConfig() throws Exception {
    MeshRuntime orders = start("orders", null);
    InetSocketAddress ordersPort = startOrders(orders);
    Poll.until(() -> orders.adminPort() > 0, WAIT, "admin endpoint bound");
    Poll.until(orders::isReady, WAIT, "orders ready");
    URI admin = URI.create("http://127.0.0.1:" + orders.adminPort());
    assertEquals(200, status(admin.resolve("/healthz")));
    assertEquals(200, status(admin.resolve("/ready")));
    Poll.until(
        () -> knowsInstance(orders, "orders", ordersPort.getPort()),
        WAIT,
        "the registration with the port");

    JsonNode dump;
    HttpURLConnection connection =
        (HttpURLConnection) admin.resolve("/config_dump").toURL().openConnection();
    try (InputStream in = connection.getInputStream()) {
      dump = new ObjectMapper().readTree(in);
    }
    assertEquals(
        "spiffe://cluster.local/ns/default/sa/orders",
        dump.path("identity").path("spiffeId").asText());
    assertEquals("PERMISSIVE", dump.path("inboundListeners").get(0).path("mode").asText());
    assertEquals("none", dump.path("inboundListeners").get(0).path("policy").asText());
    assertEquals("connected", dump.path("control").path("state").asText());
    assertTrue(dump.path("snapshot").path("ackedVersion").asLong() > 0, dump.toString());
  }

  @Test
  void registrationCarriesTheOriginalPortsAndStopDeregisters() throws Exception {
    MeshRuntime orders = start("orders", null);
    InetSocketAddress ordersPort = startOrders(orders);
    Poll.until(
        () ->
            control.server.registry().live().stream()
                .anyMatch(
                    r ->
                        r.instance().ports().equals(List.of(ordersPort.getPort()))
                            && r.adminPort() != null
                            && r.adminPort() == orders.adminPort()
                            && r.ackedVersion() != null),
        WAIT,
        "a registration with the original port, the admin port and an ACK");

    orders.stop();

    assertTrue(control.server.registry().live().isEmpty());
  }

  @Test
  void aRejectedTokenLeavesLaterBindsAndConnectsToTheApplication() throws Exception {
    AgentConfig wrongService =
        new AgentConfig(
            true,
            "orders",
            "default",
            java.util.Map.of(),
            List.of(control.url()),
            dev.jmesh.api.JoinToken.parse(control.joinToken("default", "payments")),
            null,
            java.util.Set.of(),
            "127.0.0.1",
            -1,
            null,
            Duration.ofMillis(200), AgentConfig.DEFAULT_ACCESS_LOG, 1.0, AgentConfig.DEFAULT_STATS_INTERVAL, TlsProvider.AUTO, null);
    java.io.PrintStream stderr = System.err;
    System.setErr(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
    try {
      MeshRuntime runtime = MeshRuntime.start(wrongService);
      runtimes.add(runtime);
      Poll.until(() -> runtime.controlState().startsWith("join token rejected"), WAIT, "rejection");
      InetSocketAddress requested = new InetSocketAddress(InetAddress.getLoopbackAddress(), 8080);
      assertEquals(requested, runtime.inboundHook().beforeBind(null, requested));
      InetSocketAddress target = InetSocketAddress.createUnresolved("orders", 80);
      assertEquals(target, runtime.outboundHook().beforeConnect(target));
    } finally {
      System.setErr(stderr);
    }
  }

  @Test
  void notReadyWhileTheControlServerIsAway() throws Exception {
    int deadPort;
    try (ServerSocket s = new ServerSocket(0)) {
      deadPort = s.getLocalPort();
    }
    AgentConfig config = control.agentConfig("default", "orders", null);
    AgentConfig away =
        new AgentConfig(
            true,
            "orders",
            "default",
            config.labels(),
            List.of(URI.create("https://127.0.0.1:" + deadPort)),
            config.token(),
            null,
            config.inboundPorts(),
            "127.0.0.1",
            0,
            null,
            config.startupTimeout(), AgentConfig.DEFAULT_ACCESS_LOG, 1.0, AgentConfig.DEFAULT_STATS_INTERVAL, TlsProvider.AUTO, null);
    try (CapturedStderr stderr = new CapturedStderr()) {
      MeshRuntime runtime = MeshRuntime.start(away);
      runtimes.add(runtime);
      Poll.until(() -> runtime.adminPort() > 0, WAIT, "admin endpoint bound");
      Poll.until(() -> runtime.controlState().startsWith("cannot reach"), WAIT, "a failed attempt");
      URI admin = URI.create("http://127.0.0.1:" + runtime.adminPort());
      assertEquals(200, status(admin.resolve("/healthz")));
      assertEquals(503, status(admin.resolve("/ready")));
      assertTrue(
          stderr
              .text()
              .contains(
                  "cannot reach control server https://127.0.0.1:"
                      + deadPort
                      + ": Connection refused; retrying every 1s"),
          stderr.text());
    }
  }

  private static int status(URI uri) throws IOException {
    HttpURLConnection connection = (HttpURLConnection) uri.toURL().openConnection();
    try {
      return connection.getResponseCode();
    } finally {
      connection.disconnect();
    }
  }
}
