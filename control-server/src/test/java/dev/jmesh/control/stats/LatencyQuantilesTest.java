package dev.jmesh.control.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.jmesh.api.EdgeStats;
import org.junit.jupiter.api.Test;

/** Quantiles from fixed-bucket histograms, as Prometheus' histogram_quantile estimates them. */
class LatencyQuantilesTest {

  private static final double EPSILON = 1e-9;

  /** A histogram with {@code count} requests in the bucket whose upper bound is {@code bound}. */
  private static long[] histogram(double... boundThenCount) {
    long[] counts = new long[EdgeStats.DURATION_BUCKET_COUNT];
    for (int i = 0; i < boundThenCount.length; i += 2) {
      double bound = boundThenCount[i];
      int index =
          Double.isInfinite(bound)
              ? EdgeStats.DURATION_BUCKETS_MILLIS.size()
              : EdgeStats.DURATION_BUCKETS_MILLIS.indexOf(bound);
      counts[index] += (long) boundThenCount[i + 1];
    }
    return counts;
  }

  @Test
  void interpolatesLinearlyInsideTheBucketThatHoldsTheRank() {
    // 100 requests, all in (5, 10] ms: p50 is halfway, p95 and p99 near the top.
    long[] counts = histogram(10, 100);

    assertEquals(7.5, LatencyQuantiles.quantile(counts, 0.50), EPSILON);
    assertEquals(9.75, LatencyQuantiles.quantile(counts, 0.95), EPSILON);
    assertEquals(9.95, LatencyQuantiles.quantile(counts, 0.99), EPSILON);
  }

  @Test
  void theFirstBucketStartsAtZero() {
    assertEquals(0.25, LatencyQuantiles.quantile(histogram(0.5, 10), 0.5), EPSILON);
  }

  @Test
  void quantilesWalkAcrossBuckets() {
    // 90 fast (≤ 1 ms, in (0.5, 1]) and 10 slow (in (100, 250]): p50 fast, p95 and p99 slow.
    long[] counts = histogram(1, 90, 250, 10);

    assertEquals(0.5 + 0.5 * (50.0 / 90), LatencyQuantiles.quantile(counts, 0.50), EPSILON);
    assertEquals(100 + 150 * (5.0 / 10), LatencyQuantiles.quantile(counts, 0.95), EPSILON);
    assertEquals(100 + 150 * (9.0 / 10), LatencyQuantiles.quantile(counts, 0.99), EPSILON);
  }

  @Test
  void mergedHistogramsGiveTheQuantilesOfAllTheirRequests() {
    // Two agents' reports of one edge: each alone has p99 in its own bucket; merged, the slow
    // agent's 2 % decide p99 and the fast agent's majority decides p50.
    TrafficCounts fast = new TrafficCounts();
    fast.add(edge(histogram(5, 98)));
    TrafficCounts slow = new TrafficCounts();
    slow.add(edge(histogram(500, 2)));
    TrafficCounts merged = new TrafficCounts();
    merged.add(fast);
    merged.add(slow);

    assertEquals(100, merged.requests());
    assertEquals(1 + 4 * (50.0 / 98), merged.quantileMillis(0.50), EPSILON);
    assertEquals(250 + 250 * (1.0 / 2), merged.quantileMillis(0.99), EPSILON);
    assertEquals(5.0, fast.quantileMillis(0.99), 0.1);
  }

  @Test
  void aRankAboveTheLastBoundAnswersTheLastBound() {
    long[] counts = histogram(Double.POSITIVE_INFINITY, 3);

    assertEquals(3600000.0, LatencyQuantiles.quantile(counts, 0.99), EPSILON);
  }

  @Test
  void anEmptyHistogramHasNoQuantiles() {
    assertNull(LatencyQuantiles.quantile(new long[EdgeStats.DURATION_BUCKET_COUNT], 0.5));
  }

  static EdgeStats edge(long[] buckets) {
    long requests = 0;
    java.util.List<Long> list = new java.util.ArrayList<>();
    for (long b : buckets) {
      requests += b;
      list.add(b);
    }
    return new EdgeStats(
        "destination", "a", "default", "b", "default", true, "http", requests, 0, list, 0, 0, 0,
        0, 0, 0);
  }
}
