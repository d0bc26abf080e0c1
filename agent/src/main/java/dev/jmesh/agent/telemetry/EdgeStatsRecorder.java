package dev.jmesh.agent.telemetry;

import dev.jmesh.api.EdgeStats;
import dev.jmesh.bootstrap.AgentLog;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

/**
 * Adds up the agent's traffic per edge of the service graph (source workload → destination
 * service, reporter, mTLS or not) from the samples {@link IstioMetrics} records, and hands out what
 * changed since the last call of {@link #takeDelta()}: the summaries the agent reports to the
 * control server. Recording is a map look-up and a few atomic adds; counts are cumulative, so a
 * delta never loses a sample that arrives while it is taken (it goes into the next one).
 */
public final class EdgeStatsRecorder implements TrafficListener {

  /** More edges than a workload plausibly has peers; beyond it new edges are not summarised. */
  static final int MAX_EDGES = 2000;

  private final ConcurrentHashMap<Edge, Counters> edges = new ConcurrentHashMap<>();

  /** What identifies an edge: the labels that are the same for all its traffic. */
  record Edge(
      String reporter,
      String sourceWorkload,
      String sourceNamespace,
      String destinationService,
      String destinationNamespace,
      boolean mtls) {

    static Edge of(MetricLabels labels) {
      return new Edge(
          labels.reporter(),
          labels.sourceWorkload(),
          labels.sourceWorkloadNamespace(),
          labels.destinationServiceName(),
          labels.destinationServiceNamespace(),
          isMutualTls(labels));
    }

    /**
     * The destination side knows the connection's security; the source side is the egress, which
     * only ever opens mutual TLS to mesh services (a connection that failed carried nothing).
     */
    private static boolean isMutualTls(MetricLabels labels) {
      if (EdgeStats.DESTINATION.equals(labels.reporter())) {
        return "mutual_tls".equals(labels.connectionSecurityPolicy());
      }
      return true;
    }
  }

  /** Cumulative counts of one edge, and what the last delta reported (reporter thread only). */
  private static final class Counters {
    final LongAdder errors = new LongAdder();
    final LongAdder[] buckets = new LongAdder[EdgeStats.DURATION_BUCKET_COUNT];
    final DoubleAdder durationSum = new DoubleAdder();
    final TcpCounters tcp =
        new TcpCounters(new LongAdder(), new LongAdder(), new LongAdder(), new LongAdder());

    /** Connections that never got through (response flags set): opened here, not in tcp. */
    final TcpCounters failedTcp =
        new TcpCounters(tcp.sent(), tcp.received(), new LongAdder(), tcp.closed());

    long[] reported = new long[EdgeStats.DURATION_BUCKET_COUNT + 6];
    double reportedDurationSum;
    boolean everHttp;

    Counters() {
      for (int i = 0; i < buckets.length; i++) {
        buckets[i] = new LongAdder();
      }
    }
  }

  @Override
  public void request(
      MetricLabels labels, int responseCode, String responseFlags, double durationMillis) {
    try {
      Counters c = counters(labels);
      if (c == null) {
        return;
      }
      // Bucket before error, and errors read before buckets: a delta never has more errors than
      // requests.
      c.durationSum.add(durationMillis);
      c.buckets[EdgeStats.bucketOf(durationMillis)].increment();
      if (isError(responseCode, responseFlags)) {
        c.errors.increment();
      }
    } catch (RuntimeException e) {
      AgentLog.warnOnce("edge-stats", "per-edge stats stopped counting a request: " + e);
    }
  }

  @Override
  public TcpCounters tcp(MetricLabels labels, String responseFlags) {
    Counters c = counters(labels);
    if (c == null) {
      return new TcpCounters(new LongAdder(), new LongAdder(), new LongAdder(), new LongAdder());
    }
    boolean failed = responseFlags != null && !responseFlags.isEmpty() && !"-".equals(responseFlags);
    return failed ? c.failedTcp : c.tcp;
  }

  /** Istio's (Kiali's) notion of a failed request: 5xx, or no answer at all (code 0, flags). */
  static boolean isError(int responseCode, String responseFlags) {
    return responseCode >= 500
        || responseCode == 0
        || (responseFlags != null && !responseFlags.isEmpty() && !"-".equals(responseFlags));
  }

  private Counters counters(MetricLabels labels) {
    Edge edge = Edge.of(labels);
    Counters c = edges.get(edge);
    if (c != null) {
      return c;
    }
    if (edges.size() >= MAX_EDGES) {
      AgentLog.warnOnce(
          "edge-stats-limit",
          "more than " + MAX_EDGES + " edges; new ones are left out of the live stats");
      return null;
    }
    return edges.computeIfAbsent(edge, e -> new Counters());
  }

  /**
   * What every edge carried since the previous call; edges that carried nothing are left out. Call
   * it from one thread at a time.
   */
  public synchronized List<EdgeStats> takeDelta() {
    List<EdgeStats> delta = new ArrayList<>();
    edges.forEach(
        (edge, c) -> {
          EdgeStats stats = delta(edge, c);
          if (stats != null) {
            delta.add(stats);
          }
        });
    return delta;
  }

  private static EdgeStats delta(Edge edge, Counters c) {
    int n = EdgeStats.DURATION_BUCKET_COUNT;
    long[] now = new long[n + 6];
    now[n] = c.errors.sum();
    for (int i = 0; i < n; i++) {
      now[i] = c.buckets[i].sum();
    }
    now[n + 1] = c.tcp.opened().sum();
    now[n + 2] = c.tcp.closed().sum();
    now[n + 3] = c.tcp.sent().sum();
    now[n + 4] = c.tcp.received().sum();
    now[n + 5] = c.failedTcp.opened().sum();
    double durationSum = c.durationSum.sum();
    long[] change = new long[now.length];
    boolean changed = false;
    for (int i = 0; i < now.length; i++) {
      change[i] = now[i] - c.reported[i];
      changed |= change[i] != 0;
    }
    if (!changed) {
      return null;
    }
    List<Long> buckets = new ArrayList<>(n);
    long requests = 0;
    for (int i = 0; i < n; i++) {
      buckets.add(change[i]);
      requests += change[i];
    }
    c.everHttp |= requests > 0;
    double durationDelta = durationSum - c.reportedDurationSum;
    c.reported = now;
    c.reportedDurationSum = durationSum;
    return new EdgeStats(
        edge.reporter(),
        edge.sourceWorkload(),
        edge.sourceNamespace(),
        edge.destinationService(),
        edge.destinationNamespace(),
        edge.mtls(),
        c.everHttp ? "http" : "tcp",
        requests,
        change[n],
        buckets,
        durationDelta,
        change[n + 1] + change[n + 5],
        change[n + 2],
        change[n + 3],
        change[n + 4],
        change[n + 5]);
  }
}
