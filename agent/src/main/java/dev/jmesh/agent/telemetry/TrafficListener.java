package dev.jmesh.agent.telemetry;

import java.util.concurrent.atomic.LongAdder;

/**
 * Sees every sample {@link IstioMetrics} records, with the same labels: how other views of the
 * traffic (the per-edge summaries sent to the control server) are fed without decoding anything
 * twice. Calls come from I/O threads and must be cheap and never throw.
 */
public interface TrafficListener {

  /** One HTTP request, as {@link IstioMetrics#request} records it. */
  void request(MetricLabels labels, int responseCode, String responseFlags, double durationMillis);

  /**
   * The counters that also receive a TCP label set's increments. Called once per label set, when
   * {@link IstioMetrics} makes its meters.
   */
  TcpCounters tcp(MetricLabels labels, String responseFlags);

  /** Adders that mirror {@link IstioMetrics.TcpMeters}. */
  record TcpCounters(LongAdder sent, LongAdder received, LongAdder opened, LongAdder closed) {}
}
