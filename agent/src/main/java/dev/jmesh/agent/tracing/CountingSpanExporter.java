package dev.jmesh.agent.tracing;

import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.Collection;
import java.util.concurrent.atomic.AtomicLong;

/** Counts the exports (batches) the configured exporter failed, timed out on, or threw from. */
final class CountingSpanExporter implements SpanExporter {

  private final SpanExporter delegate;
  private final AtomicLong failures;

  CountingSpanExporter(SpanExporter delegate, AtomicLong failures) {
    this.delegate = delegate;
    this.failures = failures;
  }

  @Override
  public CompletableResultCode export(Collection<SpanData> spans) {
    CompletableResultCode result;
    try {
      result = delegate.export(spans);
    } catch (RuntimeException e) {
      failures.incrementAndGet();
      return CompletableResultCode.ofFailure();
    }
    result.whenComplete(
        () -> {
          if (!result.isSuccess()) {
            failures.incrementAndGet();
          }
        });
    return result;
  }

  @Override
  public CompletableResultCode flush() {
    return delegate.flush();
  }

  @Override
  public CompletableResultCode shutdown() {
    return delegate.shutdown();
  }

  @Override
  public String toString() {
    return delegate.toString();
  }
}
