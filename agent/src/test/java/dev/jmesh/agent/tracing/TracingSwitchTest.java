package dev.jmesh.agent.tracing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** When the agent starts the OpenTelemetry SDK: one row per rule. */
class TracingSwitchTest {

  private static boolean on(Map<String, String> properties, Map<String, String> environment) {
    return new TracingSwitch(properties::get, environment::get).on();
  }

  @Test
  void offWhenNothingIsConfigured() {
    assertEquals(false, on(Map.of(), Map.of()));
  }

  @Test
  void onWithAnOtlpEndpointFromTheEnvironmentOrAProperty() {
    assertEquals(true, on(Map.of(), Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318")));
    assertEquals(true, on(Map.of(), Map.of("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://c:4318/v1/traces")));
    assertEquals(true, on(Map.of("otel.exporter.otlp.endpoint", "http://c:4318"), Map.of()));
    assertEquals(true, on(Map.of("otel.exporter.otlp.traces.endpoint", "http://c:4318"), Map.of()));
  }

  @Test
  void onWithATracesExporterOffWithNone() {
    assertEquals(true, on(Map.of(), Map.of("OTEL_TRACES_EXPORTER", "otlp")));
    assertEquals(false, on(Map.of(), Map.of("OTEL_TRACES_EXPORTER", "none")));
    assertEquals(
        false,
        on(
            Map.of("otel.traces.exporter", "none"),
            Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318")));
  }

  @Test
  void offWhenTheSdkIsDisabled() {
    assertEquals(
        false,
        on(
            Map.of(),
            Map.of("OTEL_SDK_DISABLED", "true", "OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318")));
    assertEquals(
        false,
        on(Map.of("otel.sdk.disabled", "TRUE"), Map.of("OTEL_TRACES_EXPORTER", "otlp")));
  }

  @Test
  void aPropertyWinsOverTheEnvironment() {
    assertEquals(
        true,
        on(Map.of("otel.sdk.disabled", "false"), Map.of("OTEL_SDK_DISABLED", "true", "OTEL_TRACES_EXPORTER", "otlp")));
  }
}
