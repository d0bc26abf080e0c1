package dev.jmesh.agent.telemetry;

import java.util.concurrent.atomic.LongAdder;

/**
 * Sees every sample {@link IstioMetrics} records, with the same labels: how other views of the
 * traffic (the per-edge summaries sent to the control server) are fed without decoding anything
 * twice. Calls come from I/O threads and must be cheap and never throw.
 */
public interface TrafficListener {

  /**
   * Where the requests of one label set, response code and flags are also recorded. Called once
   * per such set, when {@link IstioMetrics} makes its meters, so that recording a request is no
   * look-up here.
   */
  RequestRecorder requests(MetricLabels labels, int responseCode, String responseFlags);

  /** Takes the duration of each request of one label set, code and flags. */
  @FunctionalInterface
  interface RequestRecorder {
    void record(double durationMillis);
  }

  /**
   * The counters that also receive a TCP label set's increments. Called once per label set, when
   * {@link IstioMetrics} makes its meters.
   */
  TcpCounters tcp(MetricLabels labels, String responseFlags);

  /** Adders that mirror {@link IstioMetrics.TcpMeters}. */
  record TcpCounters(LongAdder sent, LongAdder received, LongAdder opened, LongAdder closed) {}
}
