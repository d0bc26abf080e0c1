package dev.jmesh.agent.tracing;

import dev.jmesh.agent.runtime.AgentThreadFactory;
import dev.jmesh.bootstrap.AgentLog;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.exporter.otlp.http.metrics.OtlpHttpMetricExporter;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import io.opentelemetry.sdk.metrics.export.MetricExporter;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Pushes the agent's Micrometer meters (what {@code /metrics} shows) over OTLP: an OpenTelemetry
 * SDK of its own, configured from the standard {@code OTEL_*} variables and {@code otel.*}
 * properties (endpoint, protocol, headers, {@code otel.metric.export.interval}, default 60 s) with
 * only a metrics exporter, whose periodic reader collects the registry through a {@link
 * MicrometerMetricProducer}. The relays keep recording into the registry alone; this costs nothing
 * per request. Start it only when {@link MetricsPushSwitch} says so.
 */
public final class MetricsPush {

  private final OpenTelemetrySdk sdk;

  private MetricsPush(OpenTelemetrySdk sdk) {
    this.sdk = sdk;
  }

  /**
   * Starts pushing {@code registry} as the system's settings say.
   *
   * @return null when the configuration is unusable (logged)
   */
  public static MetricsPush start(Tracing.Workload workload, MeterRegistry registry) {
    try {
      return create(workload, registry, Map.of());
    } catch (RuntimeException | LinkageError e) {
      AgentLog.error(
          "cannot push metrics over OTLP (check the OTEL_* settings); /metrics still serves them",
          e);
      return null;
    }
  }

  /**
   * Builds the SDK from the system's {@code otel.*}/{@code OTEL_*} settings.
   *
   * @param overrides settings that win over the system's (tests)
   */
  public static MetricsPush create(
      Tracing.Workload workload, MeterRegistry registry, Map<String, String> overrides) {
    OtelLogRouting.install();
    Map<String, String> settings = new HashMap<>(overrides);
    // This SDK only pushes metrics; spans have their own (Tracing).
    settings.put("otel.traces.exporter", "none");
    settings.put("otel.logs.exporter", "none");
    MicrometerMetricProducer meters = new MicrometerMetricProducer(registry);
    OpenTelemetrySdk sdk =
        AutoConfiguredOpenTelemetrySdk.builder()
            .disableShutdownHook()
            .addPropertiesSupplier(() -> Map.of("otel.exporter.otlp.protocol", "http/protobuf"))
            .addPropertiesCustomizer(config -> settings)
            .addResourceCustomizer((resource, config) -> Tracing.withWorkload(resource, workload))
            .addMetricExporterCustomizer((exporter, config) -> onAgentThreads(exporter))
            .addMeterProviderCustomizer(
                (builder, config) -> builder.registerMetricProducer(meters))
            .build()
            .getOpenTelemetrySdk();
    return new MetricsPush(sdk);
  }

  /**
   * OTLP/http sends from the exporter's own executor; give it agent threads, which the hooks
   * ignore (as {@link Tracing} does for spans; the gRPC sender runs on agent threads already).
   */
  private static MetricExporter onAgentThreads(MetricExporter exporter) {
    if (!(exporter instanceof OtlpHttpMetricExporter http)) {
      return exporter;
    }
    MetricExporter rebuilt =
        http.toBuilder()
            .setExecutorService(AgentThreadFactory.onDemandThread("otlp-metrics"))
            .build();
    http.shutdown();
    return rebuilt;
  }

  /** Pushes a last time (waiting at most a few seconds) and stops the SDK. */
  public void shutdown() {
    sdk.shutdown().join(3, TimeUnit.SECONDS);
  }
}
