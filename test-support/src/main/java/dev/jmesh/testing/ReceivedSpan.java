package dev.jmesh.testing;

import java.util.Map;

/**
 * One span as an OTLP receiver got it, with the attributes of the resource that sent it. Ids are
 * lower-case hex ({@code traceId} 32 characters, {@code spanId} 16); a root span has an empty
 * {@code parentSpanId}. {@code kind} is {@code SERVER}, {@code CLIENT}, {@code INTERNAL}, {@code
 * PRODUCER}, {@code CONSUMER} or {@code UNSPECIFIED}; {@code statusCode} is {@code UNSET}, {@code
 * OK} or {@code ERROR}. Attribute values are {@code String}, {@code Long}, {@code Double}, {@code
 * Boolean}, lists of those, or (for byte values) a hex string. Times are nanoseconds since the
 * epoch, as the exporter's clock read them.
 */
public record ReceivedSpan(
    String traceId,
    String spanId,
    String parentSpanId,
    String kind,
    String name,
    String statusCode,
    long startEpochNanos,
    long endEpochNanos,
    Map<String, Object> attributes,
    Map<String, Object> resourceAttributes,
    String scopeName) {

  /** The resource's {@code service.name}, or null. */
  public String serviceName() {
    Object name = resourceAttributes.get("service.name");
    return name == null ? null : String.valueOf(name);
  }

  /** A span attribute, or null. */
  public Object attribute(String key) {
    return attributes.get(key);
  }

  /** A resource attribute, or null. */
  public Object resourceAttribute(String key) {
    return resourceAttributes.get(key);
  }

  /** Whether the span started at or after {@code instant}. */
  public boolean startedAtOrAfter(java.time.Instant instant) {
    long nanos = instant.getEpochSecond() * 1_000_000_000L + instant.getNano();
    return startEpochNanos >= nanos;
  }

  public boolean isRoot() {
    return parentSpanId.isEmpty();
  }

  /** Whether this span's parent is {@code parent} (same trace, parent span id = its span id). */
  public boolean isChildOf(ReceivedSpan parent) {
    return traceId.equals(parent.traceId) && parentSpanId.equals(parent.spanId);
  }

  /** One line for failure messages: service, kind, name, ids and attributes. */
  @Override
  public String toString() {
    return serviceName() + " " + kind + " \"" + name + "\" trace=" + traceId + " span=" + spanId
        + " parent=" + (parentSpanId.isEmpty() ? "-" : parentSpanId) + " status=" + statusCode
        + " " + attributes;
  }
}
