package dev.jmesh.agent.telemetry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jmesh.testing.PrometheusText.Sample;
import dev.jmesh.testing.PrometheusText;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class IstioMetricsTest {

  static final List<String> ISTIO_LABELS =
      List.of(
          "reporter",
          "source_workload",
          "source_canonical_service",
          "source_canonical_revision",
          "source_workload_namespace",
          "source_principal",
          "source_app",
          "source_version",
          "source_cluster",
          "destination_workload",
          "destination_workload_namespace",
          "destination_principal",
          "destination_app",
          "destination_version",
          "destination_service",
          "destination_canonical_service",
          "destination_canonical_revision",
          "destination_service_name",
          "destination_service_namespace",
          "destination_cluster",
          "request_protocol",
          "response_code",
          "grpc_response_status",
          "response_flags",
          "connection_security_policy");

  private static MetricLabels labels() {
    return MetricLabels.of(
        "source",
        new MetricLabels.Peer(
            "a", "default", "spiffe://cluster.local/ns/default/sa/a", Map.of("app", "a")),
        new MetricLabels.Peer(
            "b",
            "default",
            "spiffe://cluster.local/ns/default/sa/b",
            Map.of("app", "b-app", "version", "v2")),
        "b",
        "default",
        "b.default.svc.cluster.local",
        "unknown");
  }

  @Test
  void requestsHaveIstiosNamesTypesLabelsAndBuckets() {
    IstioMetrics metrics = new IstioMetrics();
    metrics.request(labels(), 200, "-", 12.5, 100, 2000);
    metrics.request(labels(), 200, "-", 0.2, 100, 2000);
    metrics.request(labels(), 503, "UF", 7000, 0, 0);
    String text = metrics.scrape();
    PrometheusText parsed = new PrometheusText(text);

    assertEquals("counter", parsed.type("istio_requests_total"));
    for (String h :
        List.of(
            "istio_request_duration_milliseconds", "istio_request_bytes", "istio_response_bytes")) {
      assertEquals("histogram", parsed.type(h), text);
    }
    List<Sample> ok = parsed.find("istio_requests_total", Map.of("response_code", "200"));
    assertEquals(1, ok.size(), text);
    assertEquals(2.0, ok.get(0).value());
    assertEquals(new TreeSet<>(ISTIO_LABELS), new TreeSet<>(ok.get(0).labels().keySet()));
    Map<String, String> l = ok.get(0).labels();
    assertEquals("source", l.get("reporter"));
    assertEquals("b", l.get("destination_workload"));
    assertEquals("b-app", l.get("destination_app"));
    assertEquals("v2", l.get("destination_version"));
    assertEquals("b-app", l.get("destination_canonical_service"));
    assertEquals("v2", l.get("destination_canonical_revision"));
    assertEquals("a", l.get("source_canonical_service"));
    assertEquals("latest", l.get("source_canonical_revision"));
    assertEquals("unknown", l.get("source_version"));
    assertEquals("unknown", l.get("source_cluster"));
    assertEquals("b.default.svc.cluster.local", l.get("destination_service"));
    assertEquals("http", l.get("request_protocol"));
    assertEquals("", l.get("grpc_response_status"));
    assertEquals("-", l.get("response_flags"));
    assertEquals("unknown", l.get("connection_security_policy"));
    assertEquals(
        1.0, parsed.sum("istio_requests_total", Map.of("response_code", "503", "response_flags", "UF")));

    // Exactly Envoy's default buckets, plus +Inf, cumulative.
    List<Sample> buckets =
        parsed.find("istio_request_duration_milliseconds_bucket", Map.of("response_code", "200"));
    Set<Double> les =
        buckets.stream()
            .map(s -> s.labels().get("le"))
            .map(v -> v.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(v))
            .collect(Collectors.toCollection(TreeSet::new));
    Set<Double> expected = new TreeSet<>();
    for (double b : IstioMetrics.BUCKETS) {
      expected.add(b);
    }
    expected.add(Double.POSITIVE_INFINITY);
    assertEquals(expected, les, text);
    assertEquals(0.0, bucket(buckets, 0.1 + 0.4));
    assertEquals(1.0, bucket(buckets, 1));
    assertEquals(2.0, bucket(buckets, 25));
    assertEquals(2.0, bucket(buckets, Double.POSITIVE_INFINITY));
    assertEquals(
        2.0, parsed.sum("istio_request_duration_milliseconds_count", Map.of("response_code", "200")));
    assertEquals(
        12.7,
        parsed.sum("istio_request_duration_milliseconds_sum", Map.of("response_code", "200")),
        1e-9);
    assertEquals(4000.0, parsed.sum("istio_response_bytes_sum", Map.of("response_code", "200")));
    assertEquals(2.0, parsed.sum("istio_request_bytes_count", Map.of("response_code", "200")));
  }

  @Test
  void tcpMetricsHaveNoResponseCode() {
    IstioMetrics metrics = new IstioMetrics();
    IstioMetrics.TcpMeters tcp = metrics.tcp(labels(), "-");
    tcp.opened().increment();
    tcp.sent().increment(10);
    tcp.received().increment(20);
    tcp.closed().increment();
    PrometheusText parsed = new PrometheusText(metrics.scrape());
    for (String name :
        List.of(
            "istio_tcp_sent_bytes_total",
            "istio_tcp_received_bytes_total",
            "istio_tcp_connections_opened_total",
            "istio_tcp_connections_closed_total")) {
      List<Sample> s = parsed.find(name, Map.of("request_protocol", "tcp"));
      assertEquals(1, s.size(), name);
      Set<String> expected = new TreeSet<>(ISTIO_LABELS);
      expected.remove("response_code");
      expected.remove("grpc_response_status");
      assertEquals(expected, new TreeSet<>(s.get(0).labels().keySet()), name);
    }
    assertEquals(10.0, parsed.sum("istio_tcp_sent_bytes_total", Map.of()));
    assertEquals(20.0, parsed.sum("istio_tcp_received_bytes_total", Map.of()));
    assertTrue(parsed.sum("istio_tcp_connections_opened_total", Map.of()) == 1.0);
  }

  @Test
  void agentCostGaugesCountTheAgentsThreads() throws Exception {
    IstioMetrics metrics = new IstioMetrics().withAgentCost();
    Thread worker =
        new dev.jmesh.bootstrap.AgentThread(
            () -> {
              long end = System.nanoTime() + 50_000_000;
              StringBuilder garbage = new StringBuilder();
              while (System.nanoTime() < end) {
                garbage.append(end);
                if (garbage.length() > 10_000) {
                  garbage.setLength(0);
                }
              }
              try {
                Thread.sleep(10_000);
              } catch (InterruptedException e) {
                // done
              }
            },
            "cost-test");
    worker.start();
    try {
      Thread.sleep(100);
      // The gauges must outlive a collection: nothing but them refers to what they read.
      System.gc();
      PrometheusText parsed = new PrometheusText(metrics.scrape());
      assertTrue(parsed.sum("jmesh_agent_threads", Map.of()) >= 1);
      assertTrue(parsed.sum("jmesh_agent_threads_cpu_seconds", Map.of()) > 0);
      assertTrue(parsed.sum("jmesh_agent_threads_allocated_bytes", Map.of()) > 0);
    } finally {
      worker.interrupt();
      worker.join();
    }
  }

  private static double bucket(List<Sample> buckets, double le) {
    return buckets.stream()
        .filter(
            s -> {
              String v = s.labels().get("le");
              double d = v.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(v);
              return d == le;
            })
        .findFirst()
        .orElseThrow()
        .value();
  }
}
