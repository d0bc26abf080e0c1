package dev.jmesh.agent.telemetry;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;

/**
 * Istio's standard metrics with Istio's names, types, labels and (Envoy's default) buckets, in a
 * Micrometer Prometheus registry. Meters are cached per label set, so recording a request is a few
 * map look-ups and atomic adds. Labels never hold paths or ids, so cardinality stays bounded by
 * peers × response codes.
 *
 * <p>Names as Micrometer's Prometheus naming makes them: a counter {@code istio_requests} is
 * exported as {@code istio_requests_total}; a distribution summary {@code istio_request_bytes} as
 * {@code istio_request_bytes_bucket/_sum/_count} (plus Micrometer's {@code _max} gauge). Durations
 * are a summary in milliseconds, not a Timer (which would add {@code _seconds}).
 */
public final class IstioMetrics {

  /** Envoy's default histogram buckets (ms for durations, bytes for sizes). */
  static final double[] BUCKETS = {
    0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000,
    1800000, 3600000
  };

  /** Buckets of the agent's own time per request: it should stay in the tens of microseconds. */
  private static final Duration[] PROCESSING_BUCKETS = {
    Duration.ofNanos(10_000),
    Duration.ofNanos(25_000),
    Duration.ofNanos(50_000),
    Duration.ofNanos(100_000),
    Duration.ofNanos(250_000),
    Duration.ofNanos(500_000),
    Duration.ofMillis(1),
    Duration.ofMillis(5),
    Duration.ofMillis(25),
    Duration.ofMillis(100)
  };

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final LongConsumer inboundProcessing = processingTimer("inbound");
  private final LongConsumer outboundProcessing = processingTimer("outbound");
  private final ConcurrentHashMap<RequestKey, RequestMeters> requests = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<TcpKey, TcpMeters> tcp = new ConcurrentHashMap<>();
  private volatile TrafficListener listener;

  private record RequestKey(MetricLabels labels, int code, String flags) {}

  private record TcpKey(MetricLabels labels, String flags) {}

  private record RequestMeters(
      Counter total,
      DistributionSummary duration,
      DistributionSummary requestBytes,
      DistributionSummary responseBytes,
      TrafficListener.RequestRecorder mirror) {}

  /** The TCP meters of one connection's label set. */
  public record TcpMeters(Counter sent, Counter received, Counter opened, Counter closed) {}

  /** Adds the agent's own cost (CPU, allocation, threads) as {@code jmesh_agent_*} gauges. */
  public IstioMetrics withAgentCost() {
    AgentCost.register(registry);
    return this;
  }

  /**
   * Passes every request and TCP increment recorded from now on to {@code listener} too (set it
   * before traffic flows: label sets seen before are not mirrored).
   */
  public IstioMetrics withListener(TrafficListener listener) {
    this.listener = listener;
    return this;
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** One HTTP request, counted once by the side that reports it. */
  public void request(
      MetricLabels labels,
      int responseCode,
      String responseFlags,
      double durationMillis,
      long requestBytes,
      long responseBytes) {
    RequestMeters m =
        requests.computeIfAbsent(
            new RequestKey(labels, responseCode, responseFlags), this::requestMeters);
    m.total().increment();
    m.duration().record(durationMillis);
    m.requestBytes().record(requestBytes);
    m.responseBytes().record(responseBytes);
    m.mirror().record(durationMillis);
  }

  /**
   * Where a relay records the time it spent on one HTTP/1 request between having decoded its head
   * and having handed it on ({@code jmesh_agent_request_processing_seconds}), in nanoseconds.
   *
   * @param inbound the inbound relay (true) or the egress (false)
   */
  public LongConsumer requestProcessing(boolean inbound) {
    return inbound ? inboundProcessing : outboundProcessing;
  }

  private LongConsumer processingTimer(String direction) {
    Timer timer =
        Timer.builder("jmesh_agent_request_processing")
            .description(
                "time the agent's relay spends on an HTTP/1 request head between decoding and"
                    + " handing it on")
            .tag("direction", direction)
            .serviceLevelObjectives(PROCESSING_BUCKETS)
            .publishPercentileHistogram(false)
            .register(registry);
    return nanos -> timer.record(nanos, TimeUnit.NANOSECONDS);
  }

  /** The TCP meters for a connection with these labels (request_protocol tcp). */
  public TcpMeters tcp(MetricLabels labels, String responseFlags) {
    return tcp.computeIfAbsent(new TcpKey(labels, responseFlags), this::tcpMeters);
  }

  /** Prometheus text exposition format 0.0.4. */
  public String scrape() {
    return registry.scrape();
  }

  private RequestMeters requestMeters(RequestKey key) {
    List<Tag> tags = key.labels().tags("http", String.valueOf(key.code()), key.flags());
    TrafficListener l = listener;
    return new RequestMeters(
        Counter.builder("istio_requests").tags(tags).register(registry),
        histogram("istio_request_duration_milliseconds", tags),
        histogram("istio_request_bytes", tags),
        histogram("istio_response_bytes", tags),
        l == null ? millis -> {} : l.requests(key.labels(), key.code(), key.flags()));
  }

  private DistributionSummary histogram(String name, List<Tag> tags) {
    return DistributionSummary.builder(name)
        .tags(tags)
        .serviceLevelObjectives(BUCKETS)
        .publishPercentileHistogram(false)
        .register(registry);
  }

  private TcpMeters tcpMeters(TcpKey key) {
    List<Tag> tags = key.labels().tags("tcp", null, key.flags());
    TcpMeters meters =
        new TcpMeters(
            Counter.builder("istio_tcp_sent_bytes").tags(tags).register(registry),
            Counter.builder("istio_tcp_received_bytes").tags(tags).register(registry),
            Counter.builder("istio_tcp_connections_opened").tags(tags).register(registry),
            Counter.builder("istio_tcp_connections_closed").tags(tags).register(registry));
    TrafficListener l = listener;
    if (l == null) {
      return meters;
    }
    TrafficListener.TcpCounters mirror = l.tcp(key.labels(), key.flags());
    return new TcpMeters(
        new MirroredCounter(meters.sent(), mirror.sent()),
        new MirroredCounter(meters.received(), mirror.received()),
        new MirroredCounter(meters.opened(), mirror.opened()),
        new MirroredCounter(meters.closed(), mirror.closed()));
  }
}
