package dev.jmesh.agent.telemetry;

import dev.jmesh.api.EdgeStats;
import dev.jmesh.bootstrap.AgentLog;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

/**
 * Adds up the agent's traffic per edge of the service graph (source workload → destination
 * service, reporter, mTLS or not) from the samples {@link IstioMetrics} records, and hands out what
 * changed since the last call of {@link #takeDelta()}: the summaries the agent reports to the
 * control server. Recording is a map look-up and a few atomic adds; counts are cumulative, so a
 * delta never loses a sample that arrives while it is taken (it goes into the next one). The
 * edge is looked up once per label set, when {@link IstioMetrics} makes its meters: recording a
 * request is a few atomic adds on counters the meters hold.
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

    Totals reported = Totals.ZERO;
    boolean everHttp;

    Counters() {
      for (int i = 0; i < buckets.length; i++) {
        buckets[i] = new LongAdder();
      }
    }
  }

  @Override
  public RequestRecorder requests(MetricLabels labels, int responseCode, String responseFlags) {
    Counters c = counters(labels);
    if (c == null) {
      return millis -> {};
    }
    boolean error = isError(responseCode, responseFlags);
    return millis -> {
      try {
        // Bucket before error, and errors read before buckets: a delta never has more errors
        // than requests.
        c.durationSum.add(millis);
        c.buckets[EdgeStats.bucketOf(millis)].increment();
        if (error) {
          c.errors.increment();
        }
      } catch (RuntimeException e) {
        AgentLog.warnOnce("edge-stats", "per-edge stats stopped counting a request: " + e);
      }
    };
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

  /** An edge's cumulative counts at one moment. */
  private record Totals(
      long[] buckets,
      long errors,
      double durationSum,
      long opened,
      long failed,
      long closed,
      long sent,
      long received) {

    static final Totals ZERO =
        new Totals(new long[EdgeStats.DURATION_BUCKET_COUNT], 0, 0, 0, 0, 0, 0, 0);

    /** Errors before buckets: the recording side adds to the bucket first (see request). */
    static Totals of(Counters c) {
      long errors = c.errors.sum();
      long[] buckets = new long[c.buckets.length];
      for (int i = 0; i < buckets.length; i++) {
        buckets[i] = c.buckets[i].sum();
      }
      return new Totals(
          buckets,
          errors,
          c.durationSum.sum(),
          c.tcp.opened().sum(),
          c.failedTcp.opened().sum(),
          c.tcp.closed().sum(),
          c.tcp.sent().sum(),
          c.tcp.received().sum());
    }

    boolean sameAs(Totals other) {
      return Arrays.equals(buckets, other.buckets)
          && errors == other.errors
          && opened == other.opened
          && failed == other.failed
          && closed == other.closed
          && sent == other.sent
          && received == other.received;
    }
  }

  private static EdgeStats delta(Edge edge, Counters c) {
    Totals now = Totals.of(c);
    Totals before = c.reported;
    if (now.sameAs(before)) {
      return null;
    }
    List<Long> buckets = new ArrayList<>(now.buckets().length);
    long requests = 0;
    for (int i = 0; i < now.buckets().length; i++) {
      long change = now.buckets()[i] - before.buckets()[i];
      buckets.add(change);
      requests += change;
    }
    c.everHttp |= requests > 0;
    c.reported = now;
    long failed = now.failed() - before.failed();
    return new EdgeStats(
        edge.reporter(),
        edge.sourceWorkload(),
        edge.sourceNamespace(),
        edge.destinationService(),
        edge.destinationNamespace(),
        edge.mtls(),
        c.everHttp ? "http" : "tcp",
        requests,
        now.errors() - before.errors(),
        buckets,
        now.durationSum() - before.durationSum(),
        now.opened() - before.opened() + failed,
        now.closed() - before.closed(),
        now.sent() - before.sent(),
        now.received() - before.received(),
        failed);
  }
}
