package dev.jmesh.smoke;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Live golden signals end to end: three sample apps with the real agent jar (orders on JDK 25 where
 * installed) call each other through the mesh, their agents report per-edge summaries every
 * second, and the control server's operator API and CLI ({@code stats}, {@code graph}) show the
 * edges with counts that match the calls made, errors included, over mTLS; a service that goes
 * down shows as failed connections.
 */
@ExtendWith(PrintProcessOutputOnFailure.class)
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class LiveStatsSmokeTest {

  private static final int OK_CALLS = 9;
  private static final int FAILING_CALLS = 3;
  private static final Duration REPORTED = Duration.ofSeconds(30);

  private static ControlServer control;
  private static MeshApp frontend;
  private static MeshApp orders;
  private static MeshApp payments;
  private static HttpClient operatorClient;
  private static String adminToken;

  @BeforeAll
  static void startMesh() throws Exception {
    control = ControlServer.start();
    frontend = app("frontend", SmokeEnvironment.defaultJava());
    // orders' agent, whose reports the main edge's figures come from, runs on JDK 25 where it is
    // installed.
    orders = app("orders", jdk25OrDefault());
    payments = app("payments", SmokeEnvironment.defaultJava());
    for (MeshApp app : List.of(frontend, orders, payments)) {
      app.awaitReady();
    }
    adminToken = Files.readString(control.dataDir().resolve("admin-token")).trim();
    operatorClient =
        HttpClient.newBuilder()
            .sslContext(trusting(control.dataDir().resolve("ca/root-cert.pem")))
            .connectTimeout(Duration.ofSeconds(5))
            .build();
  }

  private static Path jdk25OrDefault() {
    Path java =
        Path.of(
            System.getProperty("jmesh.test.jdk25", "/usr/lib/jvm/temurin-25-jdk-amd64"),
            "bin",
            "java");
    return Files.isExecutable(java) ? java : SmokeEnvironment.defaultJava();
  }

  private static MeshApp app(String service, Path java) {
    return MeshApp.builder(service, MeshApp.JDK_HTTP_SERVER)
        .java(java)
        .joining(control)
        .agentProperty("jmesh.stats.interval", "1s")
        .start();
  }

  @AfterAll
  static void stopMesh() {
    SmokeEnvironment.closeAll(frontend, orders, payments, control);
  }

  private static SSLContext trusting(Path caCertificate) throws Exception {
    KeyStore roots = KeyStore.getInstance("PKCS12");
    roots.load(null, null);
    try (InputStream in = Files.newInputStream(caCertificate)) {
      roots.setCertificateEntry(
          "root", CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    TrustManagerFactory trust =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(roots);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, trust.getTrustManagers(), null);
    return context;
  }

  /** An operator API call with the admin token; the JSON answer. */
  private static Map<String, Object> api(String pathAndQuery) throws Exception {
    HttpResponse<String> response =
        operatorClient.send(
            HttpRequest.newBuilder(URI.create(control.url() + pathAndQuery))
                .header("Authorization", "Bearer " + adminToken)
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(200, response.statusCode(), () -> pathAndQuery + ": " + response.body());
    return Json.parseObject(response.body());
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> edge(Map<String, Object> graph, String from, String to) {
    for (Object e : (List<Object>) graph.get("edges")) {
      Map<String, Object> edge = (Map<String, Object>) e;
      if (from.equals(edge.get("source")) && to.equals(edge.get("destination"))) {
        return edge;
      }
    }
    return null;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> signals(Map<String, Object> withSignals) {
    return (Map<String, Object>) withSignals.get("signals");
  }

  private static long number(Map<String, Object> map, String key) {
    return ((Number) map.get(key)).longValue();
  }

  private static double decimal(Map<String, Object> map, String key) {
    return ((Number) map.get(key)).doubleValue();
  }

  @SuppressWarnings("unchecked")
  private static long requestsInto(Map<String, Object> graph, String node) {
    long total = 0;
    for (Object e : (List<Object>) graph.get("edges")) {
      Map<String, Object> edge = (Map<String, Object>) e;
      if (node.equals(edge.get("destination"))) {
        total += number(signals(edge), "requests");
      }
    }
    return total;
  }

  @Test
  @SuppressWarnings("unchecked")
  void theServiceGraphAndGoldenSignalsMatchTheCallsMade() throws Exception {
    String ordersUrl = "http://orders:" + orders.port();
    frontend.awaitCallOk(ordersUrl + "/hello", "jdk");
    frontend.awaitCallOk("http://payments:" + payments.port() + "/hello", "jdk");
    for (int i = 0; i < OK_CALLS; i++) {
      frontend.callOk(ordersUrl + "/hello?i=" + i, i % 2 == 0 ? "jdk" : "urlconnection");
    }
    for (int i = 0; i < FAILING_CALLS; i++) {
      MeshApp.CallResult result = frontend.call(ordersUrl + "/status?code=500", "jdk");
      assertEquals(500, result.downstreamStatus(), result::toString);
    }
    // Every request orders served came from frontend through the mesh (the warm-up included).
    long served = orders.count();
    assertTrue(served >= OK_CALLS + FAILING_CALLS + 1, "orders served " + served);

    // Probe the graph and the services view together until they agree: orders' inbound traffic in
    // the services view is the sum of the graph's edges into orders (frontend's calls, and the
    // test's own plaintext GET /count).
    Map<String, Map<String, Object>> views =
        Poll.until(
            REPORTED,
            "the graph to show frontend -> orders with the " + served + " requests orders served,"
                + " and the services view to agree with it",
            () ->
                Map.of(
                    "graph", api("/api/v1/stats/graph?window=5m"),
                    "services", api("/api/v1/stats/services?window=5m&service=orders")),
            v -> {
              Map<String, Object> g = v.get("graph");
              Map<String, Object> e = edge(g, "frontend.default", "orders.default");
              List<Object> list = (List<Object>) v.get("services").get("services");
              return e != null
                  && number(signals(e), "requests") == served
                  && edge(g, "frontend.default", "payments.default") != null
                  && list.size() == 1
                  && number(signals((Map<String, Object>) list.get(0)), "requests")
                      == requestsInto(g, "orders.default");
            });
    Map<String, Object> graph = views.get("graph");
    Map<String, Object> toOrders = edge(graph, "frontend.default", "orders.default");
    Map<String, Object> s = signals(toOrders);
    assertEquals(FAILING_CALLS, number(s, "errors"), toOrders::toString);
    assertEquals(served / 300.0, decimal(s, "requestsPerSecond"), 1e-9, "rate = count / window");
    assertEquals((double) FAILING_CALLS / served, decimal(s, "errorRate"), 1e-9);
    assertEquals(Boolean.TRUE, toOrders.get("mtls"), toOrders::toString);
    assertEquals("destination", toOrders.get("reporter"), "both reported; counted once");
    assertEquals("http", toOrders.get("protocol"));
    assertTrue(decimal(s, "p99Millis") > 0, toOrders::toString);
    assertTrue(decimal(s, "p50Millis") <= decimal(s, "p99Millis"), toOrders::toString);
    assertEquals(Boolean.TRUE, edge(graph, "frontend.default", "payments.default").get("mtls"));
    // The test's own plaintext calls (GET /call, /count) are the node "unknown".
    List<Object> nodeIds =
        ((List<Object>) graph.get("nodes"))
            .stream().map(n -> ((Map<String, Object>) n).get("id")).toList();
    assertEquals(
        List.of("frontend.default", "orders.default", "payments.default", "unknown"),
        nodeIds,
        graph::toString);
    Map<String, Object> plaintext = edge(graph, "unknown", "frontend.default");
    assertEquals(Boolean.FALSE, plaintext.get("mtls"), plaintext::toString);

    Map<String, Object> ordersService =
        (Map<String, Object>) ((List<Object>) views.get("services").get("services")).get(0);
    Map<String, Object> ordersSignals = signals(ordersService);
    long inbound = requestsInto(graph, "orders.default");
    assertEquals(FAILING_CALLS, number(ordersSignals, "errors"));
    assertEquals((double) served / inbound, decimal(ordersSignals, "mtlsShare"), 1e-9,
        "frontend's calls are mTLS, the test's plaintext ones are not");
    assertEquals("destination", ordersService.get("reporter"));

    ControlServer.CliResult stats = control.cliOk("stats", "--window", "5m", "--service", "orders");
    List<String> lines = stats.stdout().lines().toList();
    assertEquals("window 5m", lines.get(0), stats::toString);
    assertTrue(
        lines.get(2).matches("orders\\s+default\\s+" + inbound + "\\s+[\\d.<]+\\s+"
            + String.format(java.util.Locale.ROOT, "%.1f", 100.0 * FAILING_CALLS / inbound)
            + "%\\s+.*mTLS \\d+%\\s+destination"),
        stats::toString);

    ControlServer.CliResult graphCli = control.cliOk("graph", "--window", "5m");
    assertTrue(
        graphCli.stdout().lines()
            .anyMatch(l -> l.matches("frontend\\.default -> orders\\.default\\s+[\\d.<]+ rps  "
                + "\\d+\\.\\d% err  p99 [\\d.]+ ms  mTLS")),
        graphCli::toString);
    ControlServer.CliResult json = control.cliOk("graph", "--window", "5m", "--output", "json");
    Map<String, Object> cliGraph = Json.parseObject(json.stdout());
    assertEquals(
        served,
        number(signals(edge(cliGraph, "frontend.default", "orders.default")), "requests"),
        json::toString);

    // A service that is down: frontend's calls never reach it, and only frontend's agent can say
    // so (failed connections on the edge).
    payments.close();
    MeshApp.CallResult unreachable =
        frontend.call("http://payments:" + payments.port() + "/hello", "jdk");
    assertTrue(!unreachable.succeeded(), unreachable::toString);
    Poll.until(
        REPORTED,
        "the graph to show a failed connection from frontend to payments",
        () -> api("/api/v1/stats/graph?window=5m"),
        g -> {
          Map<String, Object> e = edge(g, "frontend.default", "payments.default");
          return e != null && number(signals(e), "tcpConnectionsFailed") >= 1;
        });
  }
}
