package dev.jmesh.control.stats;

import dev.jmesh.api.EdgeStats;

/**
 * Counts that add up: requests, errors, the latency histogram (fixed bounds, so merging is adding
 * bucket counts) and TCP totals. Not thread-safe; {@link LiveStats} guards it.
 */
public final class TrafficCounts {

  long requests;
  long errors;
  long mtlsRequests;
  final long[] durationBuckets = new long[EdgeStats.DURATION_BUCKET_COUNT];
  double durationSumMillis;
  long tcpOpened;
  long mtlsTcpOpened;
  long tcpClosed;
  long tcpSentBytes;
  long tcpReceivedBytes;
  long tcpFailed;

  void add(EdgeStats stats) {
    requests += stats.requests();
    errors += stats.errors();
    if (stats.mtls()) {
      mtlsRequests += stats.requests();
      mtlsTcpOpened += stats.tcpOpened();
    }
    for (int i = 0; i < durationBuckets.length; i++) {
      durationBuckets[i] += stats.durationBuckets().get(i);
    }
    durationSumMillis += stats.durationSumMillis();
    tcpOpened += stats.tcpOpened();
    tcpClosed += stats.tcpClosed();
    tcpSentBytes += stats.tcpSentBytes();
    tcpReceivedBytes += stats.tcpReceivedBytes();
    tcpFailed += stats.tcpFailed();
  }

  void add(TrafficCounts other) {
    requests += other.requests;
    errors += other.errors;
    mtlsRequests += other.mtlsRequests;
    for (int i = 0; i < durationBuckets.length; i++) {
      durationBuckets[i] += other.durationBuckets[i];
    }
    durationSumMillis += other.durationSumMillis;
    tcpOpened += other.tcpOpened;
    mtlsTcpOpened += other.mtlsTcpOpened;
    tcpClosed += other.tcpClosed;
    tcpSentBytes += other.tcpSentBytes;
    tcpReceivedBytes += other.tcpReceivedBytes;
    tcpFailed += other.tcpFailed;
  }

  public long requests() {
    return requests;
  }

  public long errors() {
    return errors;
  }

  boolean isEmpty() {
    return requests == 0 && tcpOpened == 0 && tcpClosed == 0 && tcpSentBytes == 0
        && tcpReceivedBytes == 0;
  }

  /** The latency below which a fraction {@code q} of the requests fell, in ms; null if none. */
  public Double quantileMillis(double q) {
    return LatencyQuantiles.quantile(durationBuckets, q);
  }
}
