package dev.jmesh.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.sdk.resources.ResourceBuilder;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OtlpTraceReceiverTest {

  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final String TRACE_ID = "0af7651916cd43dd8448eb211c80319c";
  private static final String SPAN_ID = "b7ad6b7169203331";
  private static final io.opentelemetry.proto.trace.v1.Span.SpanKind SERVER_KIND =
      io.opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_SERVER;

  @ParameterizedTest(name = "compression={0}")
  @ValueSource(strings = {"none", "gzip"})
  void receivesSpansFromTheOpenTelemetrySdkOverHttpProtobuf(String compression) {
    Instant before = Instant.now();
    try (OtlpTraceReceiver receiver = OtlpTraceReceiver.startHttp()) {
      assertEquals("http/protobuf", receiver.protocol());
      OtlpHttpSpanExporter exporter =
          OtlpHttpSpanExporter.builder()
              .setEndpoint(receiver.endpoint() + "/v1/traces")
              .setCompression(compression)
              .build();
      ResourceBuilder resource = io.opentelemetry.sdk.resources.Resource.getDefault().toBuilder();
      resource.put("service.name", "orders").put("service.namespace", "shop");
      SdkTracerProvider provider =
          SdkTracerProvider.builder()
              .setResource(resource.build())
              .addSpanProcessor(SimpleSpanProcessor.create(exporter))
              .build();
      Tracer tracer = provider.get("receiver-test");

      Span server = tracer.spanBuilder("GET /orders").setSpanKind(SpanKind.SERVER).startSpan();
      Span client =
          tracer
              .spanBuilder("GET")
              .setSpanKind(SpanKind.CLIENT)
              .setParent(Context.root().with(server))
              .setAllAttributes(
                  Attributes.of(
                      AttributeKey.stringKey("http.request.method"), "GET",
                      AttributeKey.longKey("http.response.status_code"), 200L))
              .startSpan();
      client.end();
      server.end();
      provider.forceFlush().join(10, TimeUnit.SECONDS);
      String traceId = server.getSpanContext().getTraceId();

      List<ReceivedSpan> trace = receiver.awaitTrace(traceId, 2, WAIT);

      assertEquals(2, trace.size(), () -> OtlpTraceReceiver.describe(trace));
      ReceivedSpan receivedServer = byKind(trace, "SERVER");
      ReceivedSpan receivedClient = byKind(trace, "CLIENT");
      assertTrue(receivedServer.isRoot(), receivedServer::toString);
      assertTrue(receivedServer.startedAtOrAfter(before), receivedServer::toString);
      assertFalse(receivedServer.startedAtOrAfter(Instant.now().plusSeconds(1)));
      assertTrue(receivedServer.endEpochNanos() >= receivedClient.endEpochNanos());
      assertEquals(server.getSpanContext().getSpanId(), receivedServer.spanId());
      assertEquals("GET /orders", receivedServer.name());
      assertTrue(receivedClient.isChildOf(receivedServer), receivedClient::toString);
      assertEquals(client.getSpanContext().getSpanId(), receivedClient.spanId());
      assertEquals("GET", receivedClient.attribute("http.request.method"));
      assertEquals(200L, receivedClient.attribute("http.response.status_code"));
      assertEquals("orders", receivedClient.serviceName());
      assertEquals("shop", receivedClient.resourceAttribute("service.namespace"));
      assertEquals("receiver-test", receivedClient.scopeName());
      assertEquals(List.of(traceId), List.copyOf(receiver.traceIds()));
      assertTrue(receiver.traceExports() >= 1);
      assertTrue(receiver.rejected().isEmpty(), () -> "rejected " + receiver.rejected());
      provider.shutdown().join(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void httpReceiverRefusesOtlpJson() throws Exception {
    try (OtlpTraceReceiver receiver = OtlpTraceReceiver.startHttp()) {
      HttpResponse<String> response =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create(receiver.endpoint() + "/v1/traces"))
                      .header("Content-Type", "application/json")
                      .POST(HttpRequest.BodyPublishers.ofString("{}"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());

      assertEquals(415, response.statusCode());
      assertEquals(1, receiver.rejected().size(), () -> "rejected " + receiver.rejected());
      assertTrue(receiver.spans().isEmpty());
    }
  }

  @Test
  void receivesSpansOverGrpc() {
    try (OtlpTraceReceiver receiver = OtlpTraceReceiver.startGrpc()) {
      assertEquals("grpc", receiver.protocol());
      ManagedChannel channel =
          NettyChannelBuilder.forAddress("127.0.0.1", receiver.port()).usePlaintext().build();
      try {
        TraceServiceGrpc.newBlockingStub(channel)
            .withDeadlineAfter(10, TimeUnit.SECONDS)
            .withCompression("gzip")
            .export(request("payments", TRACE_ID, SPAN_ID));
      } finally {
        channel.shutdownNow();
      }

      List<ReceivedSpan> spans = receiver.awaitSpans(1, WAIT);

      ReceivedSpan span = spans.get(0);
      assertEquals(TRACE_ID, span.traceId());
      assertEquals(SPAN_ID, span.spanId());
      assertTrue(span.isRoot());
      assertEquals("SERVER", span.kind());
      assertEquals(1_000, span.startEpochNanos());
      assertEquals(2_000, span.endEpochNanos());
      assertEquals("payments", span.serviceName());
      assertEquals("POST", span.attribute("http.request.method"));
      assertEquals(1, receiver.traceExports());
    }
  }

  @Test
  void awaitFailsWithWhatArrivedWhenTheSpansDoNotCome() {
    try (OtlpTraceReceiver receiver = OtlpTraceReceiver.startHttp()) {
      AssertionError error =
          assertThrows(
              AssertionError.class, () -> receiver.awaitSpans(1, Duration.ofMillis(200)));
      assertTrue(error.getMessage().contains("received 0 spans"), error::getMessage);
    }
  }

  @Test
  void hangingReceiverAcceptsButNeverAnswers() throws Exception {
    try (OtlpTraceReceiver receiver = OtlpTraceReceiver.startHanging();
        Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", receiver.port()), 5_000);
      socket.setSoTimeout(500);
      socket
          .getOutputStream()
          .write(
              "POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n".getBytes());
      socket.getOutputStream().flush();

      receiver.awaitConnections(1, WAIT);
      assertThrows(SocketTimeoutException.class, () -> socket.getInputStream().read());
      assertFalse(socket.isClosed());
      assertEquals(0, receiver.traceExports());
    }
  }

  @Test
  void grpcExportToAHangingReceiverRunsIntoItsDeadline() {
    try (OtlpTraceReceiver receiver = OtlpTraceReceiver.startHanging()) {
      ManagedChannel channel =
          NettyChannelBuilder.forAddress("127.0.0.1", receiver.port()).usePlaintext().build();
      try {
        StatusRuntimeException error =
            assertThrows(
                StatusRuntimeException.class,
                () ->
                    TraceServiceGrpc.newBlockingStub(channel)
                        .withDeadlineAfter(1, TimeUnit.SECONDS)
                        .export(request("x", TRACE_ID, SPAN_ID)));
        assertEquals(Status.Code.DEADLINE_EXCEEDED, error.getStatus().getCode());
      } finally {
        channel.shutdownNow();
      }
      assertEquals(1, receiver.connections());
    }
  }

  private static ReceivedSpan byKind(List<ReceivedSpan> spans, String kind) {
    List<ReceivedSpan> matching = spans.stream().filter(s -> s.kind().equals(kind)).toList();
    assertEquals(1, matching.size(), () -> kind + " spans in " + OtlpTraceReceiver.describe(spans));
    return matching.get(0);
  }

  private static ExportTraceServiceRequest request(String service, String traceId, String spanId) {
    HexFormat hex = HexFormat.of();
    return ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(
            ResourceSpans.newBuilder()
                .setResource(Resource.newBuilder().addAttributes(keyValue("service.name", service)))
                .addScopeSpans(
                    ScopeSpans.newBuilder()
                        .addSpans(
                            io.opentelemetry.proto.trace.v1.Span.newBuilder()
                                .setTraceId(ByteString.copyFrom(hex.parseHex(traceId)))
                                .setSpanId(ByteString.copyFrom(hex.parseHex(spanId)))
                                .setName("POST /pay")
                                .setStartTimeUnixNano(1_000)
                                .setEndTimeUnixNano(2_000)
                                .setKind(SERVER_KIND)
                                .addAttributes(keyValue("http.request.method", "POST")))))
        .build();
  }

  private static KeyValue keyValue(String key, String value) {
    return KeyValue.newBuilder()
        .setKey(key)
        .setValue(AnyValue.newBuilder().setStringValue(value))
        .build();
  }
}
