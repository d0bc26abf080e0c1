package dev.jmesh.agent.tracing;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.metrics.InstrumentType;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.export.CollectionRegistration;
import io.opentelemetry.sdk.metrics.export.MetricReader;

/**
 * Reads the SDK's own telemetry at scrape time: how many spans the batch processor dropped because
 * its queue was full (the legacy {@code processedSpans{dropped=true}} counter, or {@code
 * otel.sdk.processor.span.processed} with an {@code error.type} when the user chose the latest
 * internal telemetry). Registered on the SDK's meter provider, which exports nothing else.
 */
final class SdkSelfMetrics implements MetricReader {

  private static final AttributeKey<Boolean> DROPPED = AttributeKey.booleanKey("dropped");
  private static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");

  private volatile CollectionRegistration registration = CollectionRegistration.noop();

  @Override
  public void register(CollectionRegistration registration) {
    this.registration = registration;
  }

  @Override
  public AggregationTemporality getAggregationTemporality(InstrumentType instrumentType) {
    return AggregationTemporality.CUMULATIVE;
  }

  @Override
  public CompletableResultCode forceFlush() {
    return CompletableResultCode.ofSuccess();
  }

  @Override
  public CompletableResultCode shutdown() {
    registration = CollectionRegistration.noop();
    return CompletableResultCode.ofSuccess();
  }

  /** Spans dropped so far because the export queue was full. */
  long droppedSpans() {
    long dropped = 0;
    for (MetricData metric : registration.collectAllMetrics()) {
      boolean legacy = metric.getName().equals("processedSpans");
      boolean latest = metric.getName().equals("otel.sdk.processor.span.processed");
      if (!legacy && !latest) {
        continue;
      }
      for (LongPointData point : metric.getLongSumData().getPoints()) {
        if (legacy && Boolean.TRUE.equals(point.getAttributes().get(DROPPED))
            || latest && point.getAttributes().get(ERROR_TYPE) != null) {
          dropped += point.getValue();
        }
      }
    }
    return dropped;
  }
}
