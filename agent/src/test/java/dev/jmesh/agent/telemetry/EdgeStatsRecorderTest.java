package dev.jmesh.agent.telemetry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jmesh.api.EdgeStats;
import dev.jmesh.testing.PrometheusText;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Per-edge summaries fed by {@link IstioMetrics}: what each report carries, and only once. */
class EdgeStatsRecorderTest {

  private final EdgeStatsRecorder recorder = new EdgeStatsRecorder();
  private final IstioMetrics metrics = new IstioMetrics().withListener(recorder);

  private static final MetricLabels.Peer A =
      new MetricLabels.Peer("a", "default", "spiffe://cluster.local/ns/default/sa/a", Map.of());
  private static final MetricLabels.Peer B =
      new MetricLabels.Peer("b", "shop", "spiffe://cluster.local/ns/shop/sa/b", Map.of());

  /** a's egress to b (reporter source; the egress does not know the security policy). */
  private static MetricLabels outbound() {
    return MetricLabels.of("source", A, B, "b", "shop", "b.shop.svc.cluster.local", "unknown");
  }

  /** b's inbound from a over mTLS, or from a plaintext client. */
  private static MetricLabels inbound(boolean mtls) {
    return MetricLabels.of(
        "destination",
        mtls ? A : MetricLabels.Peer.UNKNOWN_PEER,
        B,
        "b",
        "shop",
        "b.shop.svc.cluster.local",
        mtls ? "mutual_tls" : "none");
  }

  private static EdgeStats only(List<EdgeStats> edges) {
    assertEquals(1, edges.size(), edges.toString());
    return edges.get(0);
  }

  @Test
  void theBucketsAreTheOnesOfTheIstioHistogram() {
    List<Double> istio = new ArrayList<>();
    for (double bound : IstioMetrics.BUCKETS) {
      istio.add(bound);
    }
    assertEquals(istio, EdgeStats.DURATION_BUCKETS_MILLIS);
  }

  @Test
  void requestsAreCountedPerEdgeWithErrorsAndTheirLatencyHistogram() {
    metrics.request(outbound(), 200, "-", 0.3, 10, 20);
    metrics.request(outbound(), 200, "-", 7, 10, 20);
    metrics.request(outbound(), 503, "-", 7, 10, 20);
    metrics.request(outbound(), 0, "UC", 1200, 10, 0);
    metrics.request(outbound(), 404, "-", 7, 10, 20);

    EdgeStats edge = only(recorder.takeDelta());

    assertEquals("source", edge.reporter());
    assertEquals("a", edge.sourceWorkload());
    assertEquals("default", edge.sourceNamespace());
    assertEquals("b", edge.destinationService());
    assertEquals("shop", edge.destinationNamespace());
    assertTrue(edge.mtls(), "the egress only opens mTLS");
    assertEquals("http", edge.protocol());
    assertEquals(5, edge.requests());
    assertEquals(2, edge.errors(), "503 and the unanswered request; 404 is not an error");
    assertEquals(1L, edge.durationBuckets().get(EdgeStats.bucketOf(0.3)));
    assertEquals(3L, edge.durationBuckets().get(EdgeStats.bucketOf(7)));
    assertEquals(1L, edge.durationBuckets().get(EdgeStats.bucketOf(1200)));
    assertEquals(EdgeStats.DURATION_BUCKET_COUNT, edge.durationBuckets().size());
    assertEquals(0.3 + 7 + 7 + 1200 + 7, edge.durationSumMillis(), 1e-9);
  }

  @Test
  void eachReportCarriesOnlyWhatHappenedSinceThePreviousOne() {
    metrics.request(outbound(), 200, "-", 3, 10, 20);
    metrics.request(outbound(), 200, "-", 3, 10, 20);
    assertEquals(2, only(recorder.takeDelta()).requests());

    assertTrue(recorder.takeDelta().isEmpty(), "nothing new: no edges");

    metrics.request(outbound(), 500, "-", 3, 10, 20);
    EdgeStats second = only(recorder.takeDelta());
    assertEquals(1, second.requests());
    assertEquals(1, second.errors());
    assertEquals(3.0, second.durationSumMillis(), 1e-9);
  }

  @Test
  void theDestinationSideSeparatesMtlsFromPlaintextClients() {
    metrics.request(inbound(true), 200, "-", 3, 10, 20);
    metrics.request(inbound(false), 200, "-", 3, 10, 20);
    metrics.request(inbound(false), 200, "-", 3, 10, 20);

    List<EdgeStats> edges = recorder.takeDelta();

    assertEquals(2, edges.size(), edges.toString());
    EdgeStats mtls = edges.stream().filter(EdgeStats::mtls).findFirst().orElseThrow();
    EdgeStats plaintext = edges.stream().filter(e -> !e.mtls()).findFirst().orElseThrow();
    assertEquals("destination", mtls.reporter());
    assertEquals("a", mtls.sourceWorkload());
    assertEquals(1, mtls.requests());
    assertEquals("unknown", plaintext.sourceWorkload());
    assertEquals("unknown", plaintext.sourceNamespace());
    assertEquals(2, plaintext.requests());
  }

  @Test
  void tcpTrafficReachesTheEdgeThroughTheMetersTheRelaysIncrement() {
    IstioMetrics.TcpMeters tcp = metrics.tcp(inbound(true), "-");
    tcp.opened().increment();
    tcp.received().increment(300);
    tcp.sent().increment(4000);
    tcp.closed().increment();

    EdgeStats edge = only(recorder.takeDelta());

    assertEquals("tcp", edge.protocol(), "no HTTP request: a TCP-only edge");
    assertEquals(0, edge.requests());
    assertEquals(1, edge.tcpOpened());
    assertEquals(1, edge.tcpClosed());
    assertEquals(300, edge.tcpReceivedBytes());
    assertEquals(4000, edge.tcpSentBytes());
    PrometheusText scraped = new PrometheusText(metrics.scrape());
    assertEquals(
        4000.0,
        scraped.sum("istio_tcp_sent_bytes_total", Map.of("reporter", "destination")),
        "Prometheus still counts the mirrored meters");
  }

  @Test
  void connectionsThatNeverGotThroughAreCountedAsFailed() {
    IstioMetrics.TcpMeters noInstance = metrics.tcp(outbound(), "NR");
    noInstance.opened().increment();
    noInstance.closed().increment();
    IstioMetrics.TcpMeters ok = metrics.tcp(outbound(), "-");
    ok.opened().increment();

    EdgeStats edge = only(recorder.takeDelta());

    assertEquals(2, edge.tcpOpened());
    assertEquals(1, edge.tcpFailed());
    assertEquals(1, edge.tcpClosed());
  }

  @Test
  void anHttpEdgeStaysHttpInReportsWithOnlyConnectionTraffic() {
    metrics.request(outbound(), 200, "-", 3, 10, 20);
    recorder.takeDelta();
    metrics.tcp(outbound(), "-").closed().increment();

    EdgeStats edge = only(recorder.takeDelta());

    assertEquals("http", edge.protocol());
    assertEquals(0, edge.requests());
    assertEquals(1, edge.tcpClosed());
  }

  @Test
  void failedRequestsCountAsErrors() {
    assertTrue(EdgeStatsRecorder.isError(500, "-"));
    assertTrue(EdgeStatsRecorder.isError(0, "DC"));
    assertTrue(EdgeStatsRecorder.isError(200, "UF"));
    assertFalse(EdgeStatsRecorder.isError(200, "-"));
    assertFalse(EdgeStatsRecorder.isError(499, "-"));
  }
}
