package dev.jmesh.agent.outbound;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.jmesh.agent.runtime.Poll;
import dev.jmesh.agent.tls.TestClients;
import dev.jmesh.agent.tracing.MetricsPush;
import dev.jmesh.agent.tracing.Tracing;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.resource.v1.Resource;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * With {@code otel.metrics.exporter=otlp} the agent's meters leave over OTLP (http/protobuf) with
 * the names and labels {@code /metrics} shows: a request through web's egress and orders' inbound
 * arrives as {@code istio_requests_total} from each side, with Istio's labels as attributes.
 * Tracing alone pushes no metrics.
 */
class MetricsExportTest {

  /** A metric as the collector received it, with the service.name of its resource. */
  private record Received(String service, Metric metric) {}

  private final List<Received> received = new CopyOnWriteArrayList<>();
  private final AtomicInteger metricPosts = new AtomicInteger();
  private final AtomicInteger tracePosts = new AtomicInteger();
  private final List<AutoCloseable> closing = new ArrayList<>();
  private HttpServer collector;
  private TracedMesh mesh;

  @BeforeEach
  void startCollector() throws Exception {
    collector = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    collector.createContext(
        "/v1/metrics",
        exchange -> {
          try (InputStream in = exchange.getRequestBody()) {
            collect(ExportMetricsServiceRequest.parseFrom(in.readAllBytes()));
          }
          metricPosts.incrementAndGet();
          ok(exchange, ExportMetricsServiceResponse.getDefaultInstance().toByteArray());
        });
    collector.createContext(
        "/v1/traces",
        exchange -> {
          try (InputStream in = exchange.getRequestBody()) {
            in.readAllBytes();
          }
          tracePosts.incrementAndGet();
          ok(exchange, new byte[0]);
        });
    collector.start();
  }

  private static void ok(com.sun.net.httpserver.HttpExchange exchange, byte[] body)
      throws java.io.IOException {
    exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
    exchange.sendResponseHeaders(200, body.length == 0 ? -1 : body.length);
    if (body.length > 0) {
      exchange.getResponseBody().write(body);
    }
    exchange.close();
  }

  @AfterEach
  void tearDown() throws Exception {
    for (AutoCloseable c : closing) {
      c.close();
    }
    if (mesh != null) {
      mesh.close();
    }
    collector.stop(0);
  }

  private void collect(ExportMetricsServiceRequest request) {
    for (ResourceMetrics resourceMetrics : request.getResourceMetricsList()) {
      String service = attribute(resourceMetrics.getResource().getAttributesList(), "service.name");
      for (ScopeMetrics scope : resourceMetrics.getScopeMetricsList()) {
        for (Metric metric : scope.getMetricsList()) {
          received.add(new Received(service, metric));
        }
      }
    }
  }

  private static String attribute(List<KeyValue> attributes, String key) {
    for (KeyValue kv : attributes) {
      if (kv.getKey().equals(key)) {
        return kv.getValue().getStringValue();
      }
    }
    return null;
  }

  private String endpoint() {
    return "http://127.0.0.1:" + collector.getAddress().getPort();
  }

  private void callThroughTheMesh(int requests) throws Exception {
    try (Socket socket = TestClients.plain(mesh.egress())) {
      for (int i = 0; i < requests; i++) {
        String response = TracedMesh.exchange(socket, "GET", "/metrics-export/" + i);
        assertTrue(response.startsWith("HTTP/1.1 200"), response);
      }
    }
  }

  /** The latest istio_requests_total point {@code service} pushed with these attributes. */
  private NumberDataPoint latestRequests(String service, Map<String, String> attributes) {
    NumberDataPoint latest = null;
    for (Received r : received) {
      if (!service.equals(r.service()) || !r.metric().getName().equals("istio_requests_total")) {
        continue;
      }
      assertTrue(r.metric().getSum().getIsMonotonic(), "a counter is a monotonic sum");
      for (NumberDataPoint point : r.metric().getSum().getDataPointsList()) {
        if (matches(point.getAttributesList(), attributes)) {
          latest = point;
        }
      }
    }
    return latest;
  }

  private static boolean matches(List<KeyValue> actual, Map<String, String> expected) {
    return expected.entrySet().stream()
        .allMatch(e -> e.getValue().equals(attribute(actual, e.getKey())));
  }

  @Test
  void aRequestArrivesAsIstioRequestsTotalFromBothSidesWithItsLabels() throws Exception {
    mesh = new TracedMesh(null, null, null);
    Map<String, String> settings =
        Map.of(
            "otel.metrics.exporter", "otlp",
            "otel.exporter.otlp.endpoint", endpoint(),
            "otel.metric.export.interval", "100ms");
    MetricsPush web =
        MetricsPush.create(
            new Tracing.Workload("web", "default", null), mesh.clientMetrics.registry(), settings);
    MetricsPush orders =
        MetricsPush.create(
            new Tracing.Workload("orders", "default", "v1"),
            mesh.serverMetrics.registry(),
            settings);
    closing.add(web::shutdown);
    closing.add(orders::shutdown);

    callThroughTheMesh(2);

    Map<String, String> client =
        Map.of(
            "reporter", "source",
            "source_workload", "web",
            "destination_service_name", "orders",
            "destination_service_namespace", "default",
            "request_protocol", "http",
            "response_code", "200");
    Map<String, String> server =
        Map.of(
            "reporter", "destination",
            "source_workload", "web",
            "destination_workload", "orders",
            "destination_version", "v1",
            "connection_security_policy", "mutual_tls",
            "response_code", "200");
    Poll.until(
        () -> {
          NumberDataPoint c = latestRequests("web", client);
          NumberDataPoint s = latestRequests("orders", server);
          return c != null && c.getAsDouble() == 2.0 && s != null && s.getAsDouble() == 2.0;
        },
        Duration.ofSeconds(15),
        "istio_requests_total of 2 from web (source) and orders (destination)");
    // The same labels as /metrics, and only those.
    assertEquals(25, latestRequests("web", client).getAttributesCount());

    HistogramDataPoint processing = latestProcessing("web", "outbound");
    assertTrue(processing != null, "web pushed jmesh_agent_request_processing_seconds");
    assertEquals(2, processing.getCount());
    assertEquals(
        2, processing.getBucketCountsList().stream().mapToLong(Long::longValue).sum());
    assertEquals(processing.getExplicitBoundsCount() + 1, processing.getBucketCountsCount());
  }

  private HistogramDataPoint latestProcessing(String service, String direction) {
    HistogramDataPoint latest = null;
    for (Received r : received) {
      if (service.equals(r.service())
          && r.metric().getName().equals("jmesh_agent_request_processing_seconds")) {
        for (HistogramDataPoint point : r.metric().getHistogram().getDataPointsList()) {
          if (direction.equals(attribute(point.getAttributesList(), "direction"))) {
            latest = point;
          }
        }
      }
    }
    return latest;
  }

  @Test
  void tracingAlonePushesNoMetricsEvenWhenAMetricsExporterIsSet() throws Exception {
    Map<String, String> settings = new HashMap<>();
    settings.put("otel.exporter.otlp.endpoint", endpoint());
    settings.put("otel.bsp.schedule.delay", "20ms");
    settings.put("otel.metrics.exporter", "otlp");
    settings.put("otel.metric.export.interval", "100ms");
    Tracing web = Tracing.create(new Tracing.Workload("web", "default", null), settings, b -> {});
    mesh = new TracedMesh(web, null, null);

    callThroughTheMesh(1);
    Poll.until(() -> tracePosts.get() > 0, Duration.ofSeconds(10), "the span at the collector");
    // Shutting the SDK down flushes every exporter it has: a metrics exporter would post now.
    web.shutdown();

    assertEquals(0, metricPosts.get());
  }
}
