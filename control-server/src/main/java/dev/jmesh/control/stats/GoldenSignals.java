package dev.jmesh.control.stats;

/**
 * The golden signals of some traffic over a window: rate, errors, latency, and how much of it was
 * mutual TLS. Latency quantiles are estimated from the merged histograms (null without requests);
 * shares are 0..1 (null when there was nothing to share).
 *
 * @param requests HTTP requests in the window
 * @param requestsPerSecond {@code requests} / window length
 * @param errorRate errors / requests
 * @param mtlsShare the share of requests (of connections, for TCP-only traffic) that used mTLS
 * @param tcpConnectionsFailed connections that never reached the destination (no live instance,
 *     connection or mTLS handshake failed): the callers saw them closed, with no answer
 */
public record GoldenSignals(
    long requests,
    long errors,
    double requestsPerSecond,
    Double errorRate,
    Double p50Millis,
    Double p95Millis,
    Double p99Millis,
    Double mtlsShare,
    long tcpConnectionsOpened,
    long tcpSentBytes,
    long tcpReceivedBytes,
    long tcpConnectionsFailed) {

  static GoldenSignals of(TrafficCounts counts, double windowSeconds) {
    Double mtlsShare;
    if (counts.requests > 0) {
      mtlsShare = (double) counts.mtlsRequests / counts.requests;
    } else if (counts.tcpOpened > 0) {
      mtlsShare = (double) counts.mtlsTcpOpened / counts.tcpOpened;
    } else {
      mtlsShare = null;
    }
    return new GoldenSignals(
        counts.requests,
        counts.errors,
        counts.requests / windowSeconds,
        counts.requests == 0 ? null : Math.min(1.0, (double) counts.errors / counts.requests),
        counts.quantileMillis(0.50),
        counts.quantileMillis(0.95),
        counts.quantileMillis(0.99),
        mtlsShare,
        counts.tcpOpened,
        counts.tcpSentBytes,
        counts.tcpReceivedBytes,
        counts.tcpFailed);
  }
}
