package dev.jmesh.control.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jmesh.api.EdgeStats;
import dev.jmesh.control.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The sliding window of agents' reports and the golden signals and graph built from it. */
class LiveStatsTest {

  private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final LiveStats stats = new LiveStats(clock);

  /** {@code requests} requests of which {@code errors} failed, each taking about {@code millis}. */
  static EdgeStats edge(
      String reporter,
      String source,
      String destination,
      boolean mtls,
      long requests,
      long errors,
      double millis) {
    List<Long> buckets = new ArrayList<>();
    for (int i = 0; i < EdgeStats.DURATION_BUCKET_COUNT; i++) {
      buckets.add(i == EdgeStats.bucketOf(millis) ? requests : 0L);
    }
    return new EdgeStats(
        reporter, source, "default", destination, "default", mtls, "http", requests, errors,
        buckets, requests * millis, 1, 1, 100 * requests, 50 * requests, 0);
  }

  static EdgeStats tcpEdge(String reporter, String source, String destination, long opened) {
    List<Long> buckets = new ArrayList<>();
    for (int i = 0; i < EdgeStats.DURATION_BUCKET_COUNT; i++) {
      buckets.add(0L);
    }
    return new EdgeStats(
        reporter, source, "default", destination, "default", true, "tcp", 0, 0, buckets, 0,
        opened, opened, 4096, 1024, 0);
  }

  private GoldenSignals edgeSignals(ServiceGraph.GraphView graph, String from, String to) {
    return graph.edges().stream()
        .filter(e -> e.source().equals(from) && e.destination().equals(to))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no edge " + from + " -> " + to + ": " + graph))
        .signals();
  }

  @Test
  void aWindowAddsUpTheReportsItCoversAndRatesAreCountsOverItsLength() {
    stats.record(List.of(edge("destination", "a", "b", true, 30, 3, 7)));
    clock.advance(Duration.ofSeconds(10));
    stats.record(List.of(edge("destination", "a", "b", true, 30, 0, 7)));

    GoldenSignals signals =
        edgeSignals(ServiceGraph.of(stats, Duration.ofMinutes(1)).graph(), "a.default", "b.default");

    assertEquals(60, signals.requests());
    assertEquals(3, signals.errors());
    assertEquals(1.0, signals.requestsPerSecond(), 1e-9);
    assertEquals(0.05, signals.errorRate(), 1e-9);
    assertEquals(1.0, signals.mtlsShare(), 1e-9);
    assertTrue(signals.p50Millis() > 5 && signals.p50Millis() <= 10, signals.toString());
  }

  @Test
  void reportsOlderThanTheWindowDropOutOfIt() {
    stats.record(List.of(edge("destination", "a", "b", true, 30, 0, 7)));
    clock.advance(Duration.ofMinutes(2));
    stats.record(List.of(edge("destination", "a", "b", true, 5, 0, 7)));

    assertEquals(
        5,
        edgeSignals(ServiceGraph.of(stats, Duration.ofMinutes(1)).graph(), "a.default", "b.default")
            .requests());
    assertEquals(
        35,
        edgeSignals(ServiceGraph.of(stats, Duration.ofMinutes(5)).graph(), "a.default", "b.default")
            .requests());

    clock.advance(Duration.ofMinutes(6));
    assertTrue(stats.window(Duration.ofMinutes(5)).isEmpty());
    assertEquals(0, stats.edgeCount(), "edges with nothing in the longest window are forgotten");
  }

  @Test
  void aCallBothAgentsReportedCountsOnceFromTheDestination() {
    stats.record(List.of(edge("source", "a", "b", true, 10, 0, 3)));
    stats.record(List.of(edge("destination", "a", "b", true, 10, 1, 2)));

    ServiceGraph graph = ServiceGraph.of(stats, Duration.ofMinutes(1));
    ServiceGraph.Edge edge = graph.graph().edges().get(0);

    assertEquals(1, graph.graph().edges().size());
    assertEquals("destination", edge.reporter());
    assertEquals(10, edge.signals().requests());
    assertEquals(1, edge.signals().errors());
    ServiceGraph.Service b =
        graph.services().services().stream()
            .filter(s -> s.service().equals("b"))
            .findFirst()
            .orElseThrow();
    assertEquals(10, b.signals().requests());
    assertEquals("destination", b.reporter());
  }

  @Test
  void withoutTheDestinationsReportTheSourcesCounts() {
    stats.record(List.of(edge("source", "a", "c", true, 4, 4, 3)));

    ServiceGraph.Edge edge = ServiceGraph.of(stats, Duration.ofMinutes(1)).graph().edges().get(0);

    assertEquals("source", edge.reporter());
    assertEquals(4, edge.signals().requests());
    assertEquals(1.0, edge.signals().errorRate(), 1e-9);
  }

  @Test
  void aServiceAddsUpItsCallersAndItsMtlsShareCountsPlaintextCallers() {
    stats.record(
        List.of(
            edge("destination", "a", "b", true, 30, 0, 7),
            edge("destination", "unknown", "b", false, 10, 0, 7)));
    // "unknown" is reported with namespace "default" by this helper; plaintext clients have
    // "unknown" there too in real reports, and either way they are the node "unknown".

    ServiceGraph graph = ServiceGraph.of(stats, Duration.ofMinutes(1));
    ServiceGraph.Service b =
        graph.services().services().stream()
            .filter(s -> s.service().equals("b"))
            .findFirst()
            .orElseThrow();

    assertEquals(40, b.signals().requests());
    assertEquals(0.75, b.signals().mtlsShare(), 1e-9);
    assertTrue(
        graph.services().services().stream().anyMatch(s -> s.service().equals("a")),
        "a meshed caller is listed even though nothing called it");
    assertFalse(
        graph.services().services().stream().anyMatch(s -> s.service().equals("unknown")));
    ServiceGraph.Edge plaintext =
        graph.graph().edges().stream()
            .filter(e -> e.source().equals("unknown"))
            .findFirst()
            .orElseThrow();
    assertFalse(plaintext.mtls());
    assertTrue(graph.graph().nodes().stream().anyMatch(n -> n.id().equals("unknown")));
  }

  @Test
  void tcpOnlyEdgesCarryConnectionsAndBytes() {
    stats.record(List.of(tcpEdge("destination", "a", "db", 3)));

    ServiceGraph.Edge edge = ServiceGraph.of(stats, Duration.ofMinutes(1)).graph().edges().get(0);

    assertEquals("tcp", edge.protocol());
    assertTrue(edge.mtls());
    assertEquals(3, edge.signals().tcpConnectionsOpened());
    assertEquals(4096, edge.signals().tcpSentBytes());
    assertNull(edge.signals().p99Millis());
    assertNull(edge.signals().errorRate());
  }

  @Test
  void failedConnectionsShowOnTheEdge() {
    List<Long> buckets = new ArrayList<>();
    for (int i = 0; i < EdgeStats.DURATION_BUCKET_COUNT; i++) {
      buckets.add(0L);
    }
    stats.record(
        List.of(
            new EdgeStats(
                "source", "a", "default", "down", "default", true, "tcp", 0, 0, buckets, 0, 4, 4,
                0, 0, 4)));

    GoldenSignals signals =
        edgeSignals(
            ServiceGraph.of(stats, Duration.ofMinutes(1)).graph(), "a.default", "down.default");

    assertEquals(4, signals.tcpConnectionsFailed());
    assertEquals(4, signals.tcpConnectionsOpened());

    // Once the destination reported the pair its counts are used, but failed connections only
    // ever come from the source.
    stats.record(List.of(edge("destination", "a", "down", true, 2, 0, 3)));
    ServiceGraph.Edge edge =
        ServiceGraph.of(stats, Duration.ofMinutes(1)).graph().edges().stream()
            .filter(e -> e.destination().equals("down.default"))
            .findFirst()
            .orElseThrow();
    assertEquals("destination", edge.reporter());
    assertEquals(2, edge.signals().requests());
    assertEquals(4, edge.signals().tcpConnectionsFailed());
  }

  @Test
  void memoryIsBoundedByDroppingTheEdgeReportedLeastRecently() {
    LiveStats small = new LiveStats(clock, 2);
    small.record(List.of(edge("destination", "a", "b", true, 1, 0, 1)));
    small.record(List.of(edge("destination", "c", "b", true, 1, 0, 1)));
    small.record(List.of(edge("destination", "a", "b", true, 1, 0, 1)));
    small.record(List.of(edge("destination", "d", "b", true, 1, 0, 1)));

    assertEquals(2, small.edgeCount());
    List<String> sources =
        ServiceGraph.of(small, Duration.ofMinutes(1)).graph().edges().stream()
            .map(ServiceGraph.Edge::source)
            .toList();
    assertEquals(List.of("a.default", "d.default"), sources);
  }
}
