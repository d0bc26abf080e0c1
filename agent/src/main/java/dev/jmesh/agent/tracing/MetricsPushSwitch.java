package dev.jmesh.agent.tracing;

import java.util.function.UnaryOperator;

/**
 * Whether the user asked for the agent's metrics over OTLP, read like {@link TracingSwitch} from
 * OpenTelemetry's own settings: on when {@code otel.metrics.exporter} ({@code
 * OTEL_METRICS_EXPORTER}) is set to anything but {@code none}, off with {@code
 * otel.sdk.disabled=true}. An OTLP endpoint alone does not turn it on (that is tracing). Without it
 * nothing of the SDK's metrics is loaded.
 */
public final class MetricsPushSwitch {

  private final TracingSwitch settings;

  public MetricsPushSwitch(
      UnaryOperator<String> systemProperties, UnaryOperator<String> environment) {
    this.settings = new TracingSwitch(systemProperties, environment);
  }

  /** From this JVM's system properties and environment. */
  public static MetricsPushSwitch fromSystem() {
    return new MetricsPushSwitch(System::getProperty, System::getenv);
  }

  public boolean on() {
    if (settings.sdkDisabled()) {
      return false;
    }
    String exporter = settings.setting("otel.metrics.exporter");
    return exporter != null && !"none".equalsIgnoreCase(exporter);
  }
}
