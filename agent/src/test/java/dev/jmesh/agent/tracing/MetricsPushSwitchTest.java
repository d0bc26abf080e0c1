package dev.jmesh.agent.tracing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** When the agent pushes its metrics over OTLP: one row per rule. */
class MetricsPushSwitchTest {

  private static boolean on(Map<String, String> properties, Map<String, String> environment) {
    return new MetricsPushSwitch(properties::get, environment::get).on();
  }

  @Test
  void offWhenNothingIsConfigured() {
    assertEquals(false, on(Map.of(), Map.of()));
  }

  @Test
  void offWithOnlyAnEndpointOrATracesExporter() {
    assertEquals(false, on(Map.of(), Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318")));
    assertEquals(false, on(Map.of(), Map.of("OTEL_TRACES_EXPORTER", "otlp")));
    assertEquals(
        false, on(Map.of("otel.exporter.otlp.metrics.endpoint", "http://c:4318"), Map.of()));
  }

  @Test
  void onWithAMetricsExporterFromTheEnvironmentOrAProperty() {
    assertEquals(true, on(Map.of(), Map.of("OTEL_METRICS_EXPORTER", "otlp")));
    assertEquals(true, on(Map.of("otel.metrics.exporter", "otlp"), Map.of()));
  }

  @Test
  void offWithNoneOrWhenTheSdkIsDisabled() {
    assertEquals(false, on(Map.of(), Map.of("OTEL_METRICS_EXPORTER", "none")));
    assertEquals(
        false,
        on(Map.of("otel.metrics.exporter", "none"), Map.of("OTEL_METRICS_EXPORTER", "otlp")));
    assertEquals(
        false, on(Map.of(), Map.of("OTEL_SDK_DISABLED", "true", "OTEL_METRICS_EXPORTER", "otlp")));
  }
}
