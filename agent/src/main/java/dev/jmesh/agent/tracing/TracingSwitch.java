package dev.jmesh.agent.tracing;

import java.util.Locale;
import java.util.function.UnaryOperator;

/**
 * Whether the user asked for traces, read from OpenTelemetry's own settings (the {@code otel.*}
 * system property, then the {@code OTEL_*} environment variable): tracing is on when an OTLP
 * endpoint ({@code otel.exporter.otlp.endpoint} or {@code otel.exporter.otlp.traces.endpoint}) or
 * a traces exporter ({@code otel.traces.exporter}) is set, and off with {@code
 * otel.sdk.disabled=true} or {@code otel.traces.exporter=none}. Without it nothing of the SDK is
 * loaded.
 */
public final class TracingSwitch {

  private final UnaryOperator<String> systemProperties;
  private final UnaryOperator<String> environment;

  public TracingSwitch(UnaryOperator<String> systemProperties, UnaryOperator<String> environment) {
    this.systemProperties = systemProperties;
    this.environment = environment;
  }

  /** From this JVM's system properties and environment. */
  public static TracingSwitch fromSystem() {
    return new TracingSwitch(System::getProperty, System::getenv);
  }

  public boolean on() {
    if (sdkDisabled()) {
      return false;
    }
    String exporter = setting("otel.traces.exporter");
    if (exporter != null) {
      return !"none".equalsIgnoreCase(exporter);
    }
    return setting("otel.exporter.otlp.endpoint") != null
        || setting("otel.exporter.otlp.traces.endpoint") != null;
  }

  /** {@code otel.sdk.disabled=true}: nothing of OpenTelemetry runs, whatever else is set. */
  boolean sdkDisabled() {
    return "true".equalsIgnoreCase(setting("otel.sdk.disabled"));
  }

  /** {@code otel.foo.bar} from the system property, else {@code OTEL_FOO_BAR}; null when unset. */
  String setting(String property) {
    String value = systemProperties.apply(property);
    if (value == null || value.isBlank()) {
      String variable = property.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
      value = environment.apply(variable);
    }
    return value == null || value.isBlank() ? null : value.trim();
  }
}
