package dev.jmesh.agent.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jmesh.agent.config.AgentConfig;
import dev.jmesh.agent.config.TlsProvider;
import dev.jmesh.agent.identity.IdentityStore;
import dev.jmesh.agent.runtime.MeshState;
import dev.jmesh.agent.runtime.Poll;
import dev.jmesh.agent.runtime.TestControlServer;
import dev.jmesh.agent.telemetry.EdgeStatsRecorder;
import dev.jmesh.agent.telemetry.IstioMetrics;
import dev.jmesh.agent.telemetry.MetricLabels;
import dev.jmesh.api.JoinToken;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Live stats reports to the real control server: delivered reports show up in its graph, a
 * refused report is logged once, and a server that is away costs only the counts of that report.
 */
class StatsReporterTest {

  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SPIFFE = "spiffe://cluster.local/ns/default/sa/";

  @TempDir Path dataDir;
  private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
  private PrintStream originalStderr;
  private TestControlServer server;
  private ControlSession session;
  private ControlClient client;
  private IdentityStore identity;
  private final EdgeStatsRecorder recorder = new EdgeStatsRecorder();
  private final IstioMetrics metrics = new IstioMetrics().withListener(recorder);

  @BeforeEach
  void connectAsWorkloadA() throws Exception {
    originalStderr = System.err;
    System.setErr(new PrintStream(stderr, true, StandardCharsets.UTF_8));
    server = new TestControlServer(dataDir, Duration.ofHours(1));
    JoinToken token = JoinToken.parse(server.joinToken("default", "a"));
    AgentConfig config =
        new AgentConfig(
            true, "a", "default", Map.of(), List.of(server.url()), token, null, Set.of(),
            "127.0.0.1", -1, null, Duration.ofSeconds(5), AgentConfig.DEFAULT_ACCESS_LOG, 1.0, AgentConfig.DEFAULT_STATS_INTERVAL, TlsProvider.AUTO, null);
    identity = new IdentityStore();
    client = new ControlClient(
            config.controlUrls(),
            token.caSha256(),
            List.of(),
            identity,
            ControlTransportTest::autoEngine);
    session =
        new ControlSession(
            config,
            client,
            identity,
            List::of,
            () -> -1,
            new MeshState("default", Map.of()),
            "test",
            new Backoff(Duration.ofMillis(10), Duration.ofMillis(50)));
    session.start();
    Poll.until(() -> "connected".equals(session.state()), WAIT, "a connected");
  }

  @AfterEach
  void stop() {
    session.stop();
    server.close();
    System.setErr(originalStderr);
  }

  private StatsReporter reporter() {
    return new StatsReporter(
        client, recorder, Duration.ofSeconds(5), () -> identity.certificate() != null);
  }

  private static MetricLabels edge(String from, String to) {
    return MetricLabels.of(
        "source",
        new MetricLabels.Peer(from, "default", SPIFFE + from, Map.of()),
        new MetricLabels.Peer(to, "default", SPIFFE + to, Map.of()),
        to,
        "default",
        to + ".default.svc.cluster.local",
        "unknown");
  }

  private long requestsInGraph(String from, String to) throws Exception {
    JsonNode graph = JSON.readTree(server.get("/v1/stats/graph"));
    for (JsonNode e : graph.path("edges")) {
      if (e.path("source").asText().equals(from) && e.path("destination").asText().equals(to)) {
        return e.path("signals").path("requests").asLong();
      }
    }
    return 0;
  }

  private List<String> lines(String level) {
    return Arrays.stream(stderr.toString(StandardCharsets.UTF_8).split("\n"))
        .filter(l -> l.contains("[jmesh] " + level))
        .toList();
  }

  @Test
  void aDeliveredReportShowsUpInTheServersGraph() throws Exception {
    for (int i = 0; i < 3; i++) {
      metrics.request(edge("a", "b"), i == 0 ? 500 : 200, "-", 4, 10, 10);
    }

    assertTrue(reporter().reportOnce());

    assertEquals(3, requestsInGraph("a.default", "b.default"));
    assertTrue(lines("WARN").isEmpty(), lines("WARN").toString());
  }

  @Test
  void aReportTheServerRefusesIsLoggedOnceAndTheReportsGoOn() throws Exception {
    StatsReporter reporter = reporter();
    metrics.request(edge("x", "b"), 200, "-", 4, 10, 10);
    assertFalse(reporter.reportOnce(), "a may not report x's calls");
    metrics.request(edge("x", "b"), 200, "-", 4, 10, 10);
    assertFalse(reporter.reportOnce());

    List<String> warnings = lines("WARN");
    assertEquals(1, warnings.size(), warnings.toString());
    assertTrue(
        warnings.get(0).contains("the control server refused the live stats report")
            && warnings.get(0).contains("not an edge of the caller ns/default/sa/a"),
        warnings.get(0));

    metrics.request(edge("a", "b"), 200, "-", 4, 10, 10);
    assertTrue(reporter.reportOnce(), "a later report of a's own edges is delivered");
  }

  @Test
  void aServerThatIsAwayCostsOnlyThatReportsCounts() throws Exception {
    StatsReporter reporter = reporter();
    int port = server.server.port();
    server.close();
    metrics.request(edge("a", "b"), 200, "-", 4, 10, 10);
    metrics.request(edge("a", "b"), 200, "-", 4, 10, 10);

    assertFalse(reporter.reportOnce(), "nothing delivered, and nothing thrown");

    assertTrue(recorder.takeDelta().isEmpty(), "the undelivered counts are dropped, not kept");
    server = new TestControlServer(dataDir, Duration.ofHours(1), "127.0.0.1", port);
    // One request per attempt: whatever attempt gets through carries exactly its own request.
    Poll.until(
        () -> {
          metrics.request(edge("a", "b"), 200, "-", 4, 10, 10);
          return reporter.reportOnce();
        },
        WAIT,
        "a report to the restarted server");
    assertEquals(1, requestsInGraph("a.default", "b.default"));
    assertTrue(lines("WARN").isEmpty(), lines("WARN").toString());
  }
}
