package dev.jmesh.api;

import java.util.List;

/**
 * What one edge of the service graph carried during one report interval, as one agent saw it:
 * counts only (never rates), so that the control server can add up reports from many agents and
 * intervals. The latency histogram has fixed bounds ({@link #DURATION_BUCKETS_MILLIS}, Envoy's
 * default buckets), so histograms merge by adding counts.
 *
 * @param reporter {@code source} (the calling agent) or {@code destination} (the called agent), as
 *     Istio's {@code reporter} label
 * @param sourceWorkload the calling workload, {@code unknown} for plaintext clients
 * @param sourceNamespace the calling workload's namespace, {@code unknown} for plaintext clients
 * @param destinationService the called service's name
 * @param destinationNamespace the called service's namespace
 * @param mtls whether the traffic went over mutual TLS
 * @param protocol {@code http} when the edge carried HTTP requests, else {@code tcp}
 * @param requests HTTP requests completed (equals the sum of {@code durationBuckets})
 * @param errors requests answered 5xx, or that ended without an answer (code 0, response flags)
 * @param durationBuckets request counts per duration bucket, not cumulative: entry i counts the
 *     requests that took at most {@code DURATION_BUCKETS_MILLIS[i]} ms and more than the bound
 *     before it; the last entry (one more than there are bounds) counts the slower ones
 * @param durationSumMillis the total duration of those requests
 * @param tcpOpened connections opened (every edge; the only traffic figures of a TCP-only edge)
 * @param tcpClosed connections closed
 * @param tcpSentBytes bytes the agent sent to the client side of the connection
 * @param tcpReceivedBytes bytes the agent received from the client side of the connection
 * @param tcpFailed connections (counted in {@code tcpOpened}) that never reached the destination:
 *     no live instance ({@code NR}) or the connection or mTLS handshake failed ({@code UF})
 */
public record EdgeStats(
    String reporter,
    String sourceWorkload,
    String sourceNamespace,
    String destinationService,
    String destinationNamespace,
    boolean mtls,
    String protocol,
    long requests,
    long errors,
    List<Long> durationBuckets,
    double durationSumMillis,
    long tcpOpened,
    long tcpClosed,
    long tcpSentBytes,
    long tcpReceivedBytes,
    long tcpFailed) {

  /** Envoy's (and Istio's) default duration buckets, in milliseconds. */
  public static final List<Double> DURATION_BUCKETS_MILLIS =
      List.of(
          0.5, 1.0, 5.0, 10.0, 25.0, 50.0, 100.0, 250.0, 500.0, 1000.0, 2500.0, 5000.0, 10000.0,
          30000.0, 60000.0, 300000.0, 600000.0, 1800000.0, 3600000.0);

  /** The number of entries in {@code durationBuckets}: one per bound and one above the last. */
  public static final int DURATION_BUCKET_COUNT = DURATION_BUCKETS_MILLIS.size() + 1;

  public static final String SOURCE = "source";
  public static final String DESTINATION = "destination";

  /** The index in {@code durationBuckets} of a request that took {@code millis}. */
  public static int bucketOf(double millis) {
    for (int i = 0; i < DURATION_BUCKETS_MILLIS.size(); i++) {
      if (millis <= DURATION_BUCKETS_MILLIS.get(i)) {
        return i;
      }
    }
    return DURATION_BUCKETS_MILLIS.size();
  }
}
