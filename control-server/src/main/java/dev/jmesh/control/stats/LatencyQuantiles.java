package dev.jmesh.control.stats;

import dev.jmesh.api.EdgeStats;
import java.util.List;

/**
 * Quantiles of a fixed-bucket latency histogram, the way Prometheus' {@code histogram_quantile}
 * estimates them: find the bucket that holds the rank and interpolate linearly inside it (from 0
 * for the first bucket); a rank in the bucket above the last bound answers that bound.
 */
public final class LatencyQuantiles {

  private static final List<Double> BOUNDS = EdgeStats.DURATION_BUCKETS_MILLIS;

  private LatencyQuantiles() {}

  /**
   * @param counts per-bucket counts (not cumulative), one per bound and one above the last
   * @param q the quantile, 0..1
   * @return the estimate in ms, or null when the histogram is empty
   */
  public static Double quantile(long[] counts, double q) {
    if (counts.length != BOUNDS.size() + 1) {
      throw new IllegalArgumentException(
          "a latency histogram has " + (BOUNDS.size() + 1) + " buckets, not " + counts.length);
    }
    if (!(q >= 0 && q <= 1)) {
      throw new IllegalArgumentException("quantile " + q + " is not between 0 and 1");
    }
    long total = 0;
    for (long count : counts) {
      total += count;
    }
    if (total == 0) {
      return null;
    }
    double rank = q * total;
    long below = 0;
    for (int i = 0; i < counts.length; i++) {
      long count = counts[i];
      if (count > 0 && below + count >= rank) {
        if (i == BOUNDS.size()) {
          return BOUNDS.get(BOUNDS.size() - 1);
        }
        double lower = i == 0 ? 0 : BOUNDS.get(i - 1);
        double upper = BOUNDS.get(i);
        return lower + (upper - lower) * ((rank - below) / count);
      }
      below += count;
    }
    return BOUNDS.get(BOUNDS.size() - 1);
  }
}
