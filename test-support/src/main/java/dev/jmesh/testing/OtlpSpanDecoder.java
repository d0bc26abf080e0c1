package dev.jmesh.testing;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Turns an OTLP export request into {@link ReceivedSpan}s: plain Java values, hex ids. */
final class OtlpSpanDecoder {

  private static final HexFormat HEX = HexFormat.of();

  private OtlpSpanDecoder() {}

  static List<ReceivedSpan> decode(ExportTraceServiceRequest request) {
    List<ReceivedSpan> spans = new ArrayList<>();
    for (ResourceSpans resourceSpans : request.getResourceSpansList()) {
      Map<String, Object> resource =
          attributes(resourceSpans.getResource().getAttributesList());
      for (ScopeSpans scopeSpans : resourceSpans.getScopeSpansList()) {
        String scope = scopeSpans.getScope().getName();
        for (Span span : scopeSpans.getSpansList()) {
          spans.add(
              new ReceivedSpan(
                  hex(span.getTraceId()),
                  hex(span.getSpanId()),
                  hex(span.getParentSpanId()),
                  kind(span.getKind()),
                  span.getName(),
                  span.getStatus().getCode().name().replace("STATUS_CODE_", ""),
                  span.getStartTimeUnixNano(),
                  span.getEndTimeUnixNano(),
                  attributes(span.getAttributesList()),
                  resource,
                  scope));
        }
      }
    }
    return spans;
  }

  private static String kind(Span.SpanKind kind) {
    return kind == Span.SpanKind.UNRECOGNIZED
        ? "UNSPECIFIED"
        : kind.name().replace("SPAN_KIND_", "");
  }

  private static String hex(ByteString bytes) {
    return HEX.formatHex(bytes.toByteArray());
  }

  private static Map<String, Object> attributes(List<KeyValue> keyValues) {
    Map<String, Object> attributes = new LinkedHashMap<>();
    for (KeyValue keyValue : keyValues) {
      attributes.put(keyValue.getKey(), value(keyValue.getValue()));
    }
    return Map.copyOf(attributes);
  }

  private static Object value(AnyValue value) {
    switch (value.getValueCase()) {
      case STRING_VALUE:
        return value.getStringValue();
      case BOOL_VALUE:
        return value.getBoolValue();
      case INT_VALUE:
        return value.getIntValue();
      case DOUBLE_VALUE:
        return value.getDoubleValue();
      case BYTES_VALUE:
        return hex(value.getBytesValue());
      case ARRAY_VALUE:
        List<Object> list = new ArrayList<>();
        for (AnyValue item : value.getArrayValue().getValuesList()) {
          list.add(value(item));
        }
        return List.copyOf(list);
      case KVLIST_VALUE:
        return attributes(value.getKvlistValue().getValuesList());
      default:
        return "";
    }
  }
}
