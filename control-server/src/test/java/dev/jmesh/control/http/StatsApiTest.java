package dev.jmesh.control.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jmesh.api.ApiError;
import dev.jmesh.api.CertificateRequest;
import dev.jmesh.api.CertificateResponse;
import dev.jmesh.api.EdgeStats;
import dev.jmesh.api.StatsReport;
import dev.jmesh.control.ControlServer;
import dev.jmesh.control.Json;
import dev.jmesh.control.ServerSettings;
import dev.jmesh.control.TestCsrs;
import dev.jmesh.control.ca.Pem;
import dev.jmesh.control.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bouncycastle.cert.X509CertificateHolder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code POST /v1/stats} over real mTLS (a workload reports only its own edges) and the operator
 * views of the reports: {@code GET /v1/stats/services}, {@code GET /v1/stats/graph}, and the
 * {@code stats} and {@code graph} commands.
 */
class StatsApiTest {

  @TempDir Path dataDir;
  private ControlServer server;
  private TestHttp anonymous;
  private String adminToken;

  @BeforeEach
  void start() throws Exception {
    server = ControlServer.start(ServerSettings.defaults(dataDir).withPort(0));
    anonymous = new TestHttp(server.url(), server.authority().rootCertificate(), null);
    adminToken = Files.readString(dataDir.resolve("admin-token")).trim();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private HttpResponse<String> operator(String method, String path, String body)
      throws Exception {
    return anonymous.send(
        method,
        path,
        body,
        "Authorization",
        "Bearer " + adminToken,
        "Content-Type",
        "application/json");
  }

  /** A workload of {@code default/<service>} with its certificate, as its agent would call. */
  private TestHttp workload(String service) throws Exception {
    HttpResponse<String> token =
        operator(
            "POST",
            "/v1/tokens",
            Json.MAPPER.writeValueAsString(Map.of("namespace", "default", "service", service)));
    assertEquals(200, token.statusCode(), token.body());
    KeyPair key = TestCsrs.ecKeyPair("secp256r1");
    HttpResponse<String> issued =
        anonymous.send(
            "POST",
            "/v1/certificates",
            Json.MAPPER.writeValueAsString(
                new CertificateRequest(TestCsrs.csrPem(key), "default", service, null)),
            "Authorization",
            "Bearer " + Json.MAPPER.readTree(token.body()).path("token").asText());
    assertEquals(200, issued.statusCode(), issued.body());
    CertificateResponse response = Json.MAPPER.readValue(issued.body(), CertificateResponse.class);
    X509Certificate certificate =
        Pem.toX509((X509CertificateHolder) Pem.decodeFirst(response.certificateChainPem().get(0)));
    return new TestHttp(
        server.url(), server.authority().rootCertificate(), key.getPrivate(), certificate);
  }

  /** {@code requests} requests, {@code errors} of them failed, all in the (5, 10] ms bucket. */
  private static EdgeStats edge(
      String reporter, String source, String destination, long requests, long errors) {
    List<Long> buckets = new ArrayList<>();
    for (int i = 0; i < EdgeStats.DURATION_BUCKET_COUNT; i++) {
      buckets.add(i == EdgeStats.bucketOf(8) ? requests : 0L);
    }
    return new EdgeStats(
        reporter, source, "default", destination, "default", true, "http", requests, errors,
        buckets, 8.0 * requests, 1, 0, 1000, 500, 0);
  }

  private static HttpResponse<String> report(TestHttp agent, EdgeStats... edges)
      throws Exception {
    return agent.send(
        "POST",
        "/v1/stats",
        Json.MAPPER.writeValueAsString(new StatsReport(5000, List.of(edges))),
        "Content-Type",
        "application/json");
  }

  private static String error(HttpResponse<String> response) throws Exception {
    return Json.MAPPER.readValue(response.body(), ApiError.class).error();
  }

  @Test
  void aWorkloadReportsTheEdgesItIsSourceOrDestinationOf() throws Exception {
    TestHttp frontend = workload("frontend");
    TestHttp orders = workload("orders");

    assertEquals(
        204, report(frontend, edge("source", "frontend", "orders", 12, 0)).statusCode());
    assertEquals(
        204, report(orders, edge("destination", "frontend", "orders", 12, 3)).statusCode());
  }

  @Test
  void aWorkloadReportingSomebodyElsesEdgeIsRefusedAndNothingIsStored() throws Exception {
    TestHttp intruder = workload("intruder");

    HttpResponse<String> asDestination =
        report(
            intruder,
            edge("source", "intruder", "orders", 1, 0),
            edge("destination", "frontend", "orders", 1000, 1000));
    HttpResponse<String> asSource = report(intruder, edge("source", "frontend", "orders", 5, 0));

    assertEquals(403, asDestination.statusCode(), asDestination.body());
    assertTrue(
        error(asDestination)
            .contains(
                "edges[1] (frontend.default -> orders.default, reporter destination) is not an"
                    + " edge of the caller ns/default/sa/intruder"),
        asDestination.body());
    assertEquals(403, asSource.statusCode(), asSource.body());
    JsonNode graph = Json.MAPPER.readTree(operator("GET", "/v1/stats/graph", null).body());
    assertEquals(0, graph.path("edges").size(), "a refused report stores nothing: " + graph);
  }

  @Test
  void reportsNeedAWorkloadCertificateAndWellFormedHistograms() throws Exception {
    HttpResponse<String> anonymousReport =
        anonymous.send(
            "POST",
            "/v1/stats",
            Json.MAPPER.writeValueAsString(
                new StatsReport(5000, List.of(edge("source", "a", "b", 1, 0)))));
    assertEquals(401, anonymousReport.statusCode(), anonymousReport.body());

    TestHttp a = workload("a");
    EdgeStats good = edge("source", "a", "b", 2, 0);
    EdgeStats shortHistogram =
        new EdgeStats(
            "source", "a", "default", "b", "default", true, "http", 2, 0, List.of(2L), 0, 0, 0,
            0, 0, 0);
    EdgeStats inconsistent =
        new EdgeStats(
            "source", "a", "default", "b", "default", true, "http", 3, 0,
            good.durationBuckets(), 0, 0, 0, 0, 0, 0);
    assertEquals(400, report(a, shortHistogram).statusCode());
    HttpResponse<String> wrongTotal = report(a, inconsistent);
    assertEquals(400, wrongTotal.statusCode());
    assertTrue(error(wrongTotal).contains("requests is 3 but durationBuckets add up to 2"));
  }

  @Test
  void operatorsSeeGoldenSignalsPerServiceAndTheGraph() throws Exception {
    TestHttp frontend = workload("frontend");
    TestHttp orders = workload("orders");
    report(frontend, edge("source", "frontend", "orders", 60, 6));
    report(orders, edge("destination", "frontend", "orders", 60, 6));

    assertEquals(401, anonymous.send("GET", "/v1/stats/services", null).statusCode());
    HttpResponse<String> servicesResponse =
        operator("GET", "/v1/stats/services?window=1m&service=orders", null);
    assertEquals(200, servicesResponse.statusCode(), servicesResponse.body());
    JsonNode services = Json.MAPPER.readTree(servicesResponse.body());
    assertEquals(1, services.path("services").size(), services.toString());
    JsonNode orderSignals = services.path("services").get(0).path("signals");
    assertEquals(60, orderSignals.path("requests").asLong(), "counted once, not twice");
    assertEquals(1.0, orderSignals.path("requestsPerSecond").asDouble(), 1e-9);
    assertEquals(0.1, orderSignals.path("errorRate").asDouble(), 1e-9);
    assertEquals(1.0, orderSignals.path("mtlsShare").asDouble(), 1e-9);
    double p99 = orderSignals.path("p99Millis").asDouble();
    assertTrue(p99 > 5 && p99 <= 10, "p99 in the reported bucket: " + p99);

    JsonNode graph = Json.MAPPER.readTree(operator("GET", "/api/v1/stats/graph", null).body());
    JsonNode edge = graph.path("edges").get(0);
    assertEquals("frontend.default", edge.path("source").asText());
    assertEquals("orders.default", edge.path("destination").asText());
    assertTrue(edge.path("mtls").asBoolean());
    assertEquals(2, graph.path("nodes").size(), graph.toString());

    assertEquals(
        400, operator("GET", "/v1/stats/graph?window=1h", null).statusCode(), "window too long");
  }

  private record Run(int exitCode, String out, String err) {}

  private Run cli(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    var commandLine = Main.commandLine();
    commandLine.setOut(new PrintWriter(out, true));
    commandLine.setErr(new PrintWriter(err, true));
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(
        List.of("--server", server.url().toString(), "--data-dir", dataDir.toString()));
    int exitCode = commandLine.execute(all.toArray(String[]::new));
    return new Run(exitCode, out.toString(), err.toString());
  }

  @Test
  void statsAndGraphCommandsPrintTheSignals() throws Exception {
    TestHttp orders = workload("orders");
    report(orders, edge("destination", "frontend", "orders", 720, 0));

    Run graph = cli("graph");
    assertEquals(0, graph.exitCode(), graph.err());
    assertTrue(
        graph.out().matches("(?s)frontend\\.default -> orders\\.default  12\\.0 rps  0\\.0% err"
            + "  p99 \\d+ ms  mTLS\\n"),
        graph.out());

    Run stats = cli("stats", "--service", "orders");
    assertEquals(0, stats.exitCode(), stats.err());
    List<String> lines = stats.out().lines().toList();
    assertEquals("window 1m", lines.get(0));
    assertTrue(lines.get(1).startsWith("SERVICE"), stats.out());
    assertTrue(
        lines
            .get(2)
            .matches("orders\\s+default\\s+720\\s+12\\.0\\s+0\\.0%\\s+\\d+ ms.*mTLS\\s+destination"),
        stats.out());
    assertEquals(3, lines.size(), stats.out());

    Run json = cli("graph", "--output", "json", "--window", "5m");
    assertEquals(0, json.exitCode(), json.err());
    JsonNode parsed = Json.MAPPER.readTree(json.out());
    assertEquals(300.0, parsed.path("windowSeconds").asDouble());
    assertEquals(720, parsed.path("edges").get(0).path("signals").path("requests").asLong());
  }
}
