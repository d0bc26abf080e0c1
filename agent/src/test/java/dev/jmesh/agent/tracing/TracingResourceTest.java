package dev.jmesh.agent.tracing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The resource names the workload unless the user's OTEL_* settings say otherwise. */
class TracingResourceTest {

  private static Resource resourceOf(Tracing.Workload workload, Map<String, String> settings) {
    InMemorySpanExporter exporter = InMemorySpanExporter.create();
    Map<String, String> all = new HashMap<>(settings);
    all.put("otel.traces.exporter", "none");
    Tracing tracing =
        Tracing.create(
            workload, all, builder -> builder.addSpanProcessor(SimpleSpanProcessor.create(exporter)));
    try {
      RequestSpans spans = new RequestSpans();
      tracing
          .serverSpans(spans, new InetSocketAddress("127.0.0.1", 5555), 8080)
          .edit(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/"));
      spans.poll().end(null, null, 200, "-");
      SpanData span = exporter.getFinishedSpanItems().get(0);
      return span.getResource();
    } finally {
      tracing.shutdown();
    }
  }

  private static String get(Resource resource, String key) {
    return resource.getAttribute(AttributeKey.stringKey(key));
  }

  @Test
  void theWorkloadNamesTheResource() {
    Resource resource = resourceOf(new Tracing.Workload("orders", "shop", "v2"), Map.of());
    assertEquals("orders", get(resource, "service.name"));
    assertEquals("shop", get(resource, "service.namespace"));
    assertEquals("v2", get(resource, "service.version"));
    assertNotNull(get(resource, "service.instance.id"));
  }

  @Test
  void otelServiceNameAndResourceAttributesWin() {
    Resource resource =
        resourceOf(
            new Tracing.Workload("orders", "shop", null),
            Map.of(
                "otel.service.name", "orders-api",
                "otel.resource.attributes", "service.namespace=prod,team=pay"));
    assertEquals("orders-api", get(resource, "service.name"));
    assertEquals("prod", get(resource, "service.namespace"));
    assertEquals("pay", get(resource, "team"));
    assertNull(get(resource, "service.version"));
  }
}
