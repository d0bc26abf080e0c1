package dev.jmesh.smoke;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jmesh.testing.OtlpTraceReceiver;
import dev.jmesh.testing.ReceivedSpan;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * One request through three unmodified apps with the real agent jar, each exporting its spans to
 * a fake OTLP collector in this JVM: the test calls A (JDK HttpServer), A calls B (a Servlet in
 * Jetty) by mesh name from its handler thread, B calls C by mesh name from a worker thread (an
 * ExecutorService, or supplyAsync on the common ForkJoinPool). The collector must receive one
 * trace of five linked spans: A SERVER (root) → A CLIENT → B SERVER → B CLIENT → C SERVER, each
 * with its app's {@code service.name} and HTTP method and status. The apps contain no tracing
 * code: the agents make the spans, and carry the context into the app's handler thread, across
 * the worker hand-off and onto the outbound request.
 *
 * <p>Once per propagation format and export protocol ({@link Variant}); the test's {@code
 * x-request-id} must reach C unchanged in each, and a request without one gets one from A's agent.
 */
@ExtendWith(PrintProcessOutputOnFailure.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class TracingSmokeTest {

  private static final Duration SPANS_TIMEOUT = Duration.ofSeconds(30);
  private static final String UUID_PATTERN =
      "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
  /** The app in the middle of the chain, which calls C from a worker thread: a Servlet in Jetty. */
  private static final String MIDDLE_APP = MeshApp.JETTY_SERVLET;

  /** How the agents propagate and export, and how B hands its call to another thread. */
  enum Variant {
    W3C_OVER_HTTP_PROTOBUF_FROM_EXECUTOR(
        "tracecontext,baggage", OtlpTraceReceiver.Protocol.HTTP_PROTOBUF, "pool", false),
    B3_MULTI_OVER_HTTP_PROTOBUF_FROM_SUPPLY_ASYNC(
        "b3multi", OtlpTraceReceiver.Protocol.HTTP_PROTOBUF, "async", false),
    W3C_OVER_GRPC_FROM_EXECUTOR(
        "tracecontext,baggage", OtlpTraceReceiver.Protocol.GRPC, "pool", false),
    /** JDK 25's ForkJoinPool and executors; skipped where that JDK is not installed. */
    W3C_OVER_HTTP_PROTOBUF_FROM_SUPPLY_ASYNC_ON_JDK_25(
        "tracecontext,baggage", OtlpTraceReceiver.Protocol.HTTP_PROTOBUF, "async", true);

    final String propagators;
    final OtlpTraceReceiver.Protocol protocol;
    final String via;
    final boolean jdk25;

    Variant(String propagators, OtlpTraceReceiver.Protocol protocol, String via, boolean jdk25) {
      this.propagators = propagators;
      this.protocol = protocol;
      this.via = via;
      this.jdk25 = jdk25;
    }

    Path java() {
      return jdk25 ? SmokeEnvironment.jdk25Java() : SmokeEnvironment.defaultJava();
    }

    boolean b3() {
      return propagators.startsWith("b3");
    }
  }

  private static ControlServer control;

  @BeforeAll
  static void startControlServer() {
    control = ControlServer.start();
  }

  @AfterAll
  static void stopControlServer() {
    if (control != null) {
      control.close();
    }
  }

  /** An app that exports its spans to {@code receiver} within ~100 ms of their end. */
  static MeshApp traced(
      String service, String mainClass, OtlpTraceReceiver receiver, Variant variant) {
    return MeshApp.builder(service, mainClass)
        .java(variant.java())
        .joining(control)
        .env("OTEL_EXPORTER_OTLP_ENDPOINT", receiver.endpoint())
        .env("OTEL_EXPORTER_OTLP_PROTOCOL", receiver.protocol())
        .env("OTEL_PROPAGATORS", variant.propagators)
        .env("OTEL_TRACES_SAMPLER", "parentbased_always_on")
        .env("OTEL_BSP_SCHEDULE_DELAY", "100")
        .env("OTEL_METRICS_EXPORTER", "none")
        .env("OTEL_LOGS_EXPORTER", "none")
        .start();
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Variant.class)
  void oneRequestThroughThreeAppsIsOneLinkedTrace(Variant variant) throws Exception {
    variant.java(); // skips the JDK 25 variant where that JDK is missing
    try (OtlpTraceReceiver receiver = OtlpTraceReceiver.start(variant.protocol);
        MeshApp a = traced("a", MeshApp.JDK_HTTP_SERVER, receiver, variant);
        MeshApp b = traced("b", MIDDLE_APP, receiver, variant);
        MeshApp c = traced("c", MeshApp.JDK_HTTP_SERVER, receiver, variant)) {
      for (MeshApp app : List.of(a, b, c)) {
        app.awaitReady();
        assertTracingStarted(app);
      }
      // B calls C from a worker thread with HttpURLConnection; A calls B with the JDK HttpClient.
      String bCallsC =
          "http://b:" + b.port() + "/call?client=urlconnection&via=" + variant.via + "&url="
              + encode("http://c:" + c.port() + "/headers");
      // Until both callers' registries have their callee, a call can fail; spans of these
      // warm-up requests all start before `start` and are left out below.
      a.awaitCallOk(bCallsC, "jdk");
      Instant start = Instant.now();
      String requestId = UUID.randomUUID().toString();

      Http.Response response =
          a.get("/call?client=jdk&url=" + encode(bCallsC), Map.of("x-request-id", requestId));

      Map<String, Object> headersAtC = headersAtC(response);
      assertEquals(requestId, headersAtC.get("x-request-id"), () -> "C's headers " + headersAtC);

      List<ReceivedSpan> spans =
          receiver.await(
              "the five spans of the request (A SERVER, A CLIENT, B SERVER, B CLIENT, C SERVER)",
              SPANS_TIMEOUT,
              received -> {
                List<ReceivedSpan> ours = startedAtOrAfter(received, start);
                return has(ours, "a", "SERVER") && has(ours, "a", "CLIENT")
                    && has(ours, "b", "SERVER") && has(ours, "b", "CLIENT")
                    && has(ours, "c", "SERVER");
              });
      List<ReceivedSpan> trace = startedAtOrAfter(spans, start);
      String described = OtlpTraceReceiver.describe(trace);

      assertEquals(5, trace.size(), () -> "spans of the request: " + described);
      assertEquals(
          1,
          trace.stream().map(ReceivedSpan::traceId).distinct().count(),
          () -> "trace ids among " + described);
      ReceivedSpan aServer = only(trace, "a", "SERVER");
      ReceivedSpan aClient = only(trace, "a", "CLIENT");
      ReceivedSpan bServer = only(trace, "b", "SERVER");
      ReceivedSpan bClient = only(trace, "b", "CLIENT");
      ReceivedSpan cServer = only(trace, "c", "SERVER");
      assertTrue(aServer.isRoot(), () -> "A's SERVER span is the root: " + described);
      assertTrue(aClient.isChildOf(aServer), () -> "A CLIENT child of A SERVER: " + described);
      assertTrue(bServer.isChildOf(aClient), () -> "B SERVER child of A CLIENT: " + described);
      assertTrue(bClient.isChildOf(bServer), () -> "B CLIENT child of B SERVER: " + described);
      assertTrue(cServer.isChildOf(bClient), () -> "C SERVER child of B CLIENT: " + described);
      for (ReceivedSpan span : trace) {
        assertHttpAttributes(span);
        assertEquals("default", span.resourceAttribute("service.namespace"), span::toString);
        // Envoy's tag for the request id, on every span of the request.
        assertEquals(requestId, span.attribute("guid:x-request-id"), span::toString);
      }

      // What C's app sees is the context of C's SERVER span, which C's agent put on the request.
      String traceId = aServer.traceId();
      if (variant.b3()) {
        assertEquals(traceId, headersAtC.get("x-b3-traceid"), () -> "C's headers " + headersAtC);
        assertEquals(
            cServer.spanId(), headersAtC.get("x-b3-spanid"), () -> "C's headers " + headersAtC);
        assertNull(headersAtC.get("traceparent"), () -> "C's headers " + headersAtC);
      } else {
        Object traceparent = headersAtC.get("traceparent");
        assertNotNull(traceparent, () -> "C's headers " + headersAtC);
        String expected = "00-" + traceId + "-" + cServer.spanId() + "-[0-9a-f]{2}";
        assertTrue(
            String.valueOf(traceparent).matches(expected),
            () -> "traceparent at C " + traceparent + ", expected trace " + traceId
                + " and parent " + cServer.spanId() + " (C's SERVER span)");
        assertNull(headersAtC.get("x-b3-traceid"), () -> "C's headers " + headersAtC);
      }

      // A request without x-request-id gets one at A's agent, and C sees that same one.
      Map<String, Object> headersWithoutId =
          headersAtC(a.get("/call?client=jdk&url=" + encode(bCallsC)));
      String madeId = String.valueOf(headersWithoutId.get("x-request-id"));
      assertTrue(
          madeId.matches(UUID_PATTERN),
          () -> "x-request-id made by the mesh, as C saw it: " + headersWithoutId);
      receiver.await(
          "A's SERVER span with the x-request-id C saw, " + madeId,
          SPANS_TIMEOUT,
          received ->
              received.stream()
                  .anyMatch(
                      span ->
                          "a".equals(span.serviceName())
                              && "SERVER".equals(span.kind())
                              && madeId.equals(span.attribute("guid:x-request-id"))));
    }
  }

  /** The request headers C reported at the end of the chain, from A's /call answer. */
  private static Map<String, Object> headersAtC(Http.Response response) {
    assertEquals(200, response.status(), () -> "GET A /call: " + response);
    Map<String, Object> fromB = Json.parseObject(response.body());
    assertEquals(200L, fromB.get("status"), response::body);
    Map<String, Object> fromC = Json.parseObject((String) fromB.get("body"));
    assertEquals(200L, fromC.get("status"), response::body);
    return Json.parseObject((String) fromC.get("body"));
  }

  /** The agent did not refuse the OTEL_* settings (it says so on stderr, and runs untraced). */
  static void assertTracingStarted(MeshApp app) {
    List<String> refusals =
        app.agentStderrLines().stream()
            .filter(line -> line.contains("cannot start tracing") || line.contains("tracing is off"))
            .toList();
    assertTrue(refusals.isEmpty(), () -> app + "'s agent did not start tracing: " + refusals);
  }

  /**
   * The span carries the request's method and the response's status code, under the stable HTTP
   * semantic-convention names or the older ones.
   */
  static void assertHttpAttributes(ReceivedSpan span) {
    Object method = first(span, "http.request.method", "http.method");
    Object status = first(span, "http.response.status_code", "http.status_code");
    assertEquals("GET", method, () -> "HTTP method of " + span);
    assertEquals(200L, status, () -> "HTTP status code of " + span);
  }

  private static Object first(ReceivedSpan span, String... keys) {
    for (String key : keys) {
      Object value = span.attribute(key);
      if (value != null) {
        return value;
      }
    }
    return null;
  }

  static List<ReceivedSpan> startedAtOrAfter(List<ReceivedSpan> spans, Instant start) {
    return spans.stream().filter(span -> span.startedAtOrAfter(start)).toList();
  }

  private static boolean has(List<ReceivedSpan> spans, String service, String kind) {
    return spans.stream().anyMatch(s -> service.equals(s.serviceName()) && kind.equals(s.kind()));
  }

  private static ReceivedSpan only(List<ReceivedSpan> spans, String service, String kind) {
    List<ReceivedSpan> matching =
        spans.stream()
            .filter(s -> service.equals(s.serviceName()) && kind.equals(s.kind()))
            .toList();
    assertEquals(
        1,
        matching.size(),
        () -> service + " " + kind + " spans in " + OtlpTraceReceiver.describe(spans));
    return matching.get(0);
  }

  private static String encode(String url) {
    return URLEncoder.encode(url, StandardCharsets.UTF_8);
  }
}
