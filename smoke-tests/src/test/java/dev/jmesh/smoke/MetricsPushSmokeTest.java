package dev.jmesh.smoke;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jmesh.testing.OtlpTraceReceiver;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The agent's metrics pushed over OTLP from the real agent jar (relocated SDK, exporter found
 * through its relocated service file): with {@code OTEL_METRICS_EXPORTER=otlp}, the same
 * {@code istio_requests_total} that {@code /metrics} shows arrives at a collector, from both sides,
 * with Istio's labels as attributes; tracing stays off (no traces endpoint is set).
 */
@ExtendWith(PrintProcessOutputOnFailure.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class MetricsPushSmokeTest {

  @Test
  void bothSidesPushIstioRequestsTotalOverOtlp() throws Exception {
    try (ControlServer control = ControlServer.start();
        OtlpTraceReceiver collector = OtlpTraceReceiver.startHttp();
        MeshApp a = pushing("a", control, collector);
        MeshApp b = pushing("b", control, collector)) {
      a.awaitReady();
      b.awaitReady();
      a.awaitCallOk("http://b:" + b.port() + "/hello", "jdk");
      for (int i = 0; i < 2; i++) {
        a.awaitCallOk("http://b:" + b.port() + "/hello", "jdk");
      }
      Duration wait = Duration.ofSeconds(60);
      OtlpTraceReceiver.MetricPoint source =
          collector.awaitMetricPoint(
              "istio_requests_total",
              Map.of(
                  "reporter", "source",
                  "source_workload", "a",
                  "destination_workload", "b",
                  "response_code", "200",
                  "connection_security_policy", "unknown"),
              3,
              wait);
      assertEquals("a", source.serviceName());
      OtlpTraceReceiver.MetricPoint destination =
          collector.awaitMetricPoint(
              "istio_requests_total",
              Map.of(
                  "reporter", "destination",
                  "source_principal", a.spiffeId(),
                  "destination_workload", "b",
                  "response_code", "200",
                  "connection_security_policy", "mutual_tls"),
              3,
              wait);
      assertEquals("b", destination.serviceName());
      assertEquals(0, collector.traceExports(), "tracing is off: no span export expected");
    }
  }

  private static MeshApp pushing(String name, ControlServer control, OtlpTraceReceiver collector)
      throws Exception {
    return MeshApp.builder(name, MeshApp.JDK_HTTP_SERVER)
        .joining(control)
        .env("OTEL_METRICS_EXPORTER", "otlp")
        .env("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", collector.endpoint() + "/v1/metrics")
        .env("OTEL_METRIC_EXPORT_INTERVAL", "500")
        .start();
  }
}
