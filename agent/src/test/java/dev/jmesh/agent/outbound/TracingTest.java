package dev.jmesh.agent.outbound;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jmesh.agent.runtime.Poll;
import dev.jmesh.agent.tls.TestClients;
import dev.jmesh.agent.tracing.Tracing;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Spans and propagation headers from both agents of one call, through real Netty and mTLS: web's
 * egress makes a CLIENT span per request, orders' inbound a SERVER span, each agent rewrites the
 * propagation headers to its span, and the orders app receives the SERVER span's context.
 */
class TracingTest {

  private static final String WEB = "spiffe://cluster.local/ns/default/sa/web";
  private static final String ORDERS = "spiffe://cluster.local/ns/default/sa/orders";
  private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String APP_SPAN = "00f067aa0ba902b7";
  private static final String UUID4 =
      "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}";

  private final InMemorySpanExporter webSpans = InMemorySpanExporter.create();
  private final InMemorySpanExporter ordersSpans = InMemorySpanExporter.create();
  private TracedMesh mesh;

  @AfterEach
  void tearDown() {
    if (mesh != null) {
      mesh.close();
    }
  }

  private static Tracing tracing(String service, InMemorySpanExporter exporter, String propagators) {
    return Tracing.create(
        new Tracing.Workload(service, "default", "v1"),
        Map.of("otel.traces.exporter", "none", "otel.propagators", propagators),
        builder -> builder.addSpanProcessor(SimpleSpanProcessor.create(exporter)));
  }

  private void meshWith(String propagators) throws IOException {
    mesh =
        new TracedMesh(
            tracing("web", webSpans, propagators), tracing("orders", ordersSpans, propagators), null);
  }

  private List<SpanData> spans(InMemorySpanExporter exporter, int count) {
    Poll.until(
        () -> exporter.getFinishedSpanItems().size() >= count,
        Duration.ofSeconds(10),
        count + " finished spans");
    List<SpanData> spans = exporter.getFinishedSpanItems();
    assertEquals(count, spans.size(), spans.toString());
    return spans;
  }

  private static String attr(SpanData span, String key) {
    Object value = span.getAttributes().get(AttributeKey.stringKey(key));
    return value == null ? null : value.toString();
  }

  private static Long longAttr(SpanData span, String key) {
    return span.getAttributes().get(AttributeKey.longKey(key));
  }

  @Test
  void eachHopIsAClientSpanInTheCallerAndAServerSpanInTheCalleeOfTheAppsTrace() throws Exception {
    meshWith("tracecontext,baggage");
    try (Socket socket = TestClients.plain(mesh.egress())) {
      String response =
          TracedMesh.exchange(
              socket, "GET", "/hello?a=1", "traceparent: 00-" + TRACE + "-" + APP_SPAN + "-01");
      assertTrue(response.startsWith("HTTP/1.1 200"), response);
    }
    SpanData client = spans(webSpans, 1).get(0);
    SpanData server = spans(ordersSpans, 1).get(0);

    assertEquals(SpanKind.CLIENT, client.getKind());
    assertEquals("GET", client.getName());
    assertEquals(TRACE, client.getTraceId());
    assertEquals(APP_SPAN, client.getParentSpanId());
    assertEquals("GET", attr(client, "http.request.method"));
    assertEquals("http://orders/hello?a=1", attr(client, "url.full"));
    assertEquals("orders", attr(client, "server.address"));
    assertEquals(200L, longAttr(client, "http.response.status_code"));
    assertEquals("127.0.0.1", attr(client, "network.peer.address"));
    assertEquals((long) mesh.inbound.getPort(), longAttr(client, "network.peer.port"));
    assertEquals(ORDERS, attr(client, "jmesh.destination.principal"));
    assertEquals("orders", attr(client, "jmesh.destination.workload"));
    assertEquals("web", attr(client, "jmesh.source.workload"));
    assertEquals("-", attr(client, "response_flags"));
    assertEquals("web", client.getResource().getAttribute(AttributeKey.stringKey("service.name")));
    assertEquals(
        "default", client.getResource().getAttribute(AttributeKey.stringKey("service.namespace")));

    assertEquals(SpanKind.SERVER, server.getKind());
    assertEquals("GET", server.getName());
    assertEquals(TRACE, server.getTraceId());
    assertEquals(client.getSpanId(), server.getParentSpanId());
    assertEquals("/hello", attr(server, "url.path"));
    assertEquals("a=1", attr(server, "url.query"));
    assertEquals("http", attr(server, "url.scheme"));
    assertEquals("1.1", attr(server, "network.protocol.version"));
    assertEquals(200L, longAttr(server, "http.response.status_code"));
    assertEquals(WEB, attr(server, "jmesh.source.principal"));
    assertEquals("web", attr(server, "jmesh.source.workload"));
    assertEquals(ORDERS, attr(server, "jmesh.destination.principal"));
    assertEquals(Boolean.TRUE, server.getAttributes().get(AttributeKey.booleanKey("jmesh.mtls")));
    assertEquals("orders", server.getResource().getAttribute(AttributeKey.stringKey("service.name")));
    assertEquals("v1", server.getResource().getAttribute(AttributeKey.stringKey("service.version")));

    Map<String, String> received = mesh.nextReceived();
    assertEquals("00-" + TRACE + "-" + server.getSpanId() + "-01", received.get("traceparent"));
    assertEquals(attr(client, "guid:x-request-id"), received.get("x-request-id"));
    assertEquals(attr(server, "guid:x-request-id"), received.get("x-request-id"));
  }

  @Test
  void aRequestWithoutTraceContextStartsANewTraceAtTheClientSpan() throws Exception {
    meshWith("tracecontext,baggage");
    try (Socket socket = TestClients.plain(mesh.egress())) {
      assertTrue(TracedMesh.exchange(socket, "GET", "/new").startsWith("HTTP/1.1 200"));
    }
    SpanData client = spans(webSpans, 1).get(0);
    SpanData server = spans(ordersSpans, 1).get(0);
    assertFalse(client.getParentSpanContext().isValid());
    assertEquals(client.getTraceId(), server.getTraceId());
    assertEquals(client.getSpanId(), server.getParentSpanId());
    // New traces carry the W3C "random trace id" flag besides "sampled" (01 or 03).
    String traceparent = mesh.nextReceived().get("traceparent");
    assertTrue(
        traceparent.startsWith("00-" + server.getTraceId() + "-" + server.getSpanId() + "-0"),
        traceparent);
  }

  @Test
  void aPlaintextClientWithoutTraceContextGetsANewTraceAtTheServerSpan() throws Exception {
    meshWith("tracecontext,baggage");
    try (Socket socket = TestClients.plain(mesh.inbound)) {
      assertTrue(TracedMesh.exchange(socket, "GET", "/direct").startsWith("HTTP/1.1 200"));
    }
    SpanData server = spans(ordersSpans, 1).get(0);
    assertFalse(server.getParentSpanContext().isValid());
    assertEquals(Boolean.FALSE, server.getAttributes().get(AttributeKey.booleanKey("jmesh.mtls")));
    assertEquals("127.0.0.1", attr(server, "client.address"));
    assertEquals("unknown", attr(server, "jmesh.source.principal"));
    // New traces carry the W3C "random trace id" flag besides "sampled" (01 or 03).
    String traceparent = mesh.nextReceived().get("traceparent");
    assertTrue(
        traceparent.startsWith("00-" + server.getTraceId() + "-" + server.getSpanId() + "-0"),
        traceparent);
    assertEquals(0, webSpans.getFinishedSpanItems().size());
  }

  @Test
  void xRequestIdIsKeptWhenSentAndCreatedAsAUuid4WhenNot() throws Exception {
    meshWith("tracecontext,baggage");
    try (Socket socket = TestClients.plain(mesh.egress())) {
      TracedMesh.exchange(socket, "GET", "/kept", "x-request-id: my-id-1");
      TracedMesh.exchange(socket, "GET", "/created");
    }
    assertEquals("my-id-1", mesh.nextReceived().get("x-request-id"));
    String created = mesh.nextReceived().get("x-request-id");
    assertTrue(created.matches(UUID4), created);
    List<SpanData> client = spans(webSpans, 2);
    assertEquals("my-id-1", attr(client.get(0), "guid:x-request-id"));
    assertEquals(created, attr(client.get(1), "guid:x-request-id"));
    assertEquals(created, attr(spans(ordersSpans, 2).get(1), "guid:x-request-id"));
  }

  @Test
  void withTracingOffRequestsStillGetAnXRequestIdAndKeepTheirTraceparent() throws Exception {
    mesh = new TracedMesh(null, null, null);
    String traceparent = "00-" + TRACE + "-" + APP_SPAN + "-01";
    try (Socket socket = TestClients.plain(mesh.egress())) {
      assertTrue(
          TracedMesh.exchange(socket, "GET", "/off", "traceparent: " + traceparent)
              .startsWith("HTTP/1.1 200"));
    }
    Map<String, String> received = mesh.nextReceived();
    assertTrue(received.get("x-request-id").matches(UUID4), received.toString());
    assertEquals(traceparent, received.get("traceparent"));
  }

  @Test
  void keepAliveRequestsEachGetTheirOwnSpansInOrder() throws Exception {
    meshWith("tracecontext,baggage");
    try (Socket socket = TestClients.plain(mesh.egress())) {
      assertTrue(TracedMesh.exchange(socket, "GET", "/status/200").startsWith("HTTP/1.1 200"));
      assertTrue(TracedMesh.exchange(socket, "POST", "/status/404", "Content-Length: 0")
          .startsWith("HTTP/1.1 404"));
      assertTrue(TracedMesh.exchange(socket, "GET", "/status/503").startsWith("HTTP/1.1 503"));
    }
    List<SpanData> client = spans(webSpans, 3);
    List<SpanData> server = spans(ordersSpans, 3);
    long[] codes = {200, 404, 503};
    for (int i = 0; i < 3; i++) {
      assertEquals(codes[i], longAttr(client.get(i), "http.response.status_code"));
      assertEquals(codes[i], longAttr(server.get(i), "http.response.status_code"));
      assertEquals(client.get(i).getSpanId(), server.get(i).getParentSpanId());
    }
    // No request carried a parent: each one started a trace of its own.
    assertEquals(3, client.stream().map(SpanData::getTraceId).distinct().count());
    assertEquals("POST", server.get(1).getName());
    assertEquals(StatusCode.UNSET, server.get(0).getStatus().getStatusCode());
    assertEquals(StatusCode.UNSET, server.get(1).getStatus().getStatusCode());
    assertEquals(StatusCode.ERROR, client.get(1).getStatus().getStatusCode());
    assertEquals(StatusCode.ERROR, server.get(2).getStatus().getStatusCode());
    assertEquals("503", attr(server.get(2), "error.type"));
    assertEquals(StatusCode.ERROR, client.get(2).getStatus().getStatusCode());
  }

  @Test
  void b3MultiHeadersAreReadAndRewrittenToEachSpan() throws Exception {
    meshWith("b3multi");
    try (Socket socket = TestClients.plain(mesh.egress())) {
      TracedMesh.exchange(
          socket, "GET", "/b3", "X-B3-TraceId: " + TRACE, "X-B3-SpanId: " + APP_SPAN,
          "X-B3-Sampled: 1");
    }
    SpanData client = spans(webSpans, 1).get(0);
    SpanData server = spans(ordersSpans, 1).get(0);
    assertEquals(TRACE, client.getTraceId());
    assertEquals(APP_SPAN, client.getParentSpanId());
    assertEquals(client.getSpanId(), server.getParentSpanId());
    Map<String, String> received = mesh.nextReceived();
    assertEquals(TRACE, received.get("x-b3-traceid"));
    assertEquals(server.getSpanId(), received.get("x-b3-spanid"));
    assertEquals("1", received.get("x-b3-sampled"));
  }

  @Test
  void b3SingleHeaderIsReadAndRewrittenToEachSpan() throws Exception {
    meshWith("b3");
    try (Socket socket = TestClients.plain(mesh.egress())) {
      TracedMesh.exchange(socket, "GET", "/b3", "b3: " + TRACE + "-" + APP_SPAN + "-1");
    }
    SpanData client = spans(webSpans, 1).get(0);
    SpanData server = spans(ordersSpans, 1).get(0);
    assertEquals(APP_SPAN, client.getParentSpanId());
    assertEquals(client.getSpanId(), server.getParentSpanId());
    assertEquals(TRACE + "-" + server.getSpanId() + "-1", mesh.nextReceived().get("b3"));
  }

  @Test
  void aRequestTheAppDropsEndsBothSpansAsErrorsWithUc() throws Exception {
    try (ServerSocket dropper = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Thread appThread =
          new Thread(
              () -> {
                try (Socket s = dropper.accept()) {
                  StringBuilder head = new StringBuilder();
                  while (!head.toString().endsWith("\r\n\r\n")) {
                    head.append((char) s.getInputStream().read());
                  }
                } catch (IOException e) {
                  // test over
                }
              });
      appThread.start();
      mesh =
          new TracedMesh(
              tracing("web", webSpans, "tracecontext"),
              tracing("orders", ordersSpans, "tracecontext"),
              (InetSocketAddress) dropper.getLocalSocketAddress());
      try (Socket socket = TestClients.plain(mesh.egress())) {
        assertEquals("", TestClients.get(socket, "/dropped"));
      }
      appThread.join(5000);
    }
    for (SpanData span : List.of(spans(webSpans, 1).get(0), spans(ordersSpans, 1).get(0))) {
      assertEquals(StatusCode.ERROR, span.getStatus().getStatusCode(), span.toString());
      assertEquals("UC", attr(span, "response_flags"), span.toString());
      assertEquals("UC", attr(span, "error.type"), span.toString());
      assertEquals(null, longAttr(span, "http.response.status_code"));
    }
  }

  @Test
  void anUpgradedConnectionIsRawAfterThe101AndTheUpgradeIsOneSpan() throws Exception {
    try (ServerSocket upgrader = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Thread appThread =
          new Thread(
              () -> {
                try (Socket s = upgrader.accept()) {
                  InputStream in = s.getInputStream();
                  StringBuilder head = new StringBuilder();
                  while (!head.toString().endsWith("\r\n\r\n")) {
                    head.append((char) in.read());
                  }
                  s.getOutputStream()
                      .write(
                          ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: test\r\n"
                                  + "Connection: Upgrade\r\n\r\n")
                              .getBytes(StandardCharsets.US_ASCII));
                  s.getOutputStream().flush();
                  in.transferTo(s.getOutputStream());
                } catch (IOException e) {
                  // test over
                }
              });
      appThread.start();
      mesh =
          new TracedMesh(
              tracing("web", webSpans, "tracecontext"),
              tracing("orders", ordersSpans, "tracecontext"),
              (InetSocketAddress) upgrader.getLocalSocketAddress());
      try (Socket socket = TestClients.plain(mesh.egress())) {
        String head =
            TracedMesh.exchange(
                socket, "GET", "/ws", "Upgrade: test", "Connection: Upgrade");
        assertTrue(head.startsWith("HTTP/1.1 101"), head);
        // Not HTTP: would fail to decode if anything still parsed it.
        byte[] raw = "\u0001\u0002GET raw bytes\r\n\r\n".getBytes(StandardCharsets.UTF_8);
        socket.getOutputStream().write(raw);
        socket.getOutputStream().flush();
        assertEquals(
            new String(raw, StandardCharsets.UTF_8),
            new String(socket.getInputStream().readNBytes(raw.length), StandardCharsets.UTF_8));
      }
      appThread.join(5000);
    }
    SpanData client = spans(webSpans, 1).get(0);
    SpanData server = spans(ordersSpans, 1).get(0);
    assertEquals(101L, longAttr(client, "http.response.status_code"));
    assertEquals(101L, longAttr(server, "http.response.status_code"));
    assertEquals(client.getSpanId(), server.getParentSpanId());
  }
}
