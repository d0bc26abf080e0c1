package dev.jmesh.smoke;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jmesh.testing.OtlpTraceReceiver;
import dev.jmesh.testing.PrometheusText;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A collector that is down or hangs must cost the app nothing: app {@code closed} exports its
 * spans (gRPC) to a port nobody listens on, apps {@code stuck-grpc} (gRPC) and {@code stuck}
 * (http/protobuf) to collectors that accept connections and never answer; all with a small export
 * queue. Many requests through the agents (test → closed → stuck, test → stuck-grpc → stuck) all
 * answer 200 with the body they have without tracing, the apps keep answering after the queues
 * have overflowed, and the agents count what they lost ({@code
 * jmesh_agent_span_exports_failed_total}, {@code jmesh_agent_spans_dropped_total}).
 */
@ExtendWith(PrintProcessOutputOnFailure.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class CollectorFailureSmokeTest {

  /** Requests per caller: many more spans than a queue holds (each request makes three). */
  private static final int REQUESTS = 300;
  private static final int QUEUE_SIZE = 16;

  @Test
  void requestsThroughAppsWithADeadOrHangingCollectorAnswerAsWithoutTracing() throws Exception {
    int closedPort = FreePorts.next();
    try (ControlServer control = ControlServer.start();
        OtlpTraceReceiver hangingHttp = OtlpTraceReceiver.startHanging();
        OtlpTraceReceiver hangingGrpc = OtlpTraceReceiver.startHanging();
        MeshApp closed =
            withSmallQueue(MeshApp.builder("closed", MeshApp.JDK_HTTP_SERVER).joining(control))
                .env("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:" + closedPort)
                .env("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc")
                .start();
        MeshApp stuckGrpc =
            withSmallQueue(MeshApp.builder("stuck-grpc", MeshApp.JDK_HTTP_SERVER).joining(control))
                .env("OTEL_EXPORTER_OTLP_ENDPOINT", hangingGrpc.endpoint())
                .env("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc")
                .start();
        MeshApp stuck =
            withSmallQueue(MeshApp.builder("stuck", MeshApp.JDK_HTTP_SERVER).joining(control))
                .env("OTEL_EXPORTER_OTLP_ENDPOINT", hangingHttp.endpoint())
                .env("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf")
                .start()) {
      for (MeshApp app : List.of(closed, stuckGrpc, stuck)) {
        app.awaitReady();
      }
      String toStuck = "http://stuck:" + stuck.port() + "/hello";
      closed.awaitCallOk(toStuck, "jdk");
      stuckGrpc.awaitCallOk(toStuck, "jdk");
      String path = "/call?client=jdk&url=" + URLEncoder.encode(toStuck, StandardCharsets.UTF_8);
      // What /call answers without any tracing: the downstream status and body, nothing more.
      String expected = "{\"status\":200,\"body\":\"hello from stuck\"}";

      for (int i = 0; i < REQUESTS; i++) {
        for (MeshApp caller : List.of(closed, stuckGrpc)) {
          Http.Response response = caller.get(path);
          String request = "request " + i + " to " + caller.service();
          assertEquals(200, response.status(), () -> request + ": " + response);
          assertEquals(expected, response.body(), request);
        }
      }

      // The exporters did try the hanging collectors (so their hang was in the way) …
      hangingHttp.awaitConnections(1, Duration.ofSeconds(30));
      hangingGrpc.awaitConnections(1, Duration.ofSeconds(30));
      assertEquals(0, hangingHttp.traceExports() + hangingGrpc.traceExports());
      // … and the apps still answer, directly and through the mesh.
      assertEquals("hello from closed", closed.get("/hello").body());
      assertEquals("hello from stuck-grpc", stuckGrpc.get("/hello").body());
      assertEquals("hello from stuck", stuck.get("/hello").body());
      assertEquals(expected, closed.get(path).body());
      assertEquals(expected, stuckGrpc.get(path).body());
      for (MeshApp app : List.of(closed, stuckGrpc, stuck)) {
        app.process().assertAlive();
      }
      assertTrue(stuck.count() >= 2 * REQUESTS + 2, "requests stuck served");

      // The agents say what they lost: exports to the closed port failed; the hanging collectors
      // held the export queues up until they overflowed.
      Poll.until(
          Duration.ofSeconds(30),
          "closed's agent to count failed span exports",
          () -> metric(closed, "jmesh_agent_span_exports_failed_total") > 0);
      for (MeshApp app : List.of(stuckGrpc, stuck)) {
        assertTrue(
            metric(app, "jmesh_agent_spans_dropped_total") > 0,
            () -> "spans dropped by " + app.service() + "'s agent: " + scrapeQuietly(app));
      }
    }
  }

  private static double metric(MeshApp app, String name) throws Exception {
    Http.Response response = Http.get(app.adminPort(), "/metrics");
    assertEquals(200, response.status(), () -> app + " /metrics: " + response);
    return new PrometheusText(response.body()).sum(name, Map.of());
  }

  private static String scrapeQuietly(MeshApp app) {
    try {
      return Http.get(app.adminPort(), "/metrics").body().lines()
          .filter(line -> line.startsWith("jmesh_agent_span"))
          .toList()
          .toString();
    } catch (Exception e) {
      return String.valueOf(e);
    }
  }

  private static MeshApp.Builder withSmallQueue(MeshApp.Builder app) {
    return app.env("OTEL_BSP_SCHEDULE_DELAY", "100")
        .env("OTEL_BSP_MAX_QUEUE_SIZE", String.valueOf(QUEUE_SIZE))
        .env("OTEL_BSP_MAX_EXPORT_BATCH_SIZE", String.valueOf(QUEUE_SIZE / 2))
        .env("OTEL_TRACES_SAMPLER", "parentbased_always_on")
        .env("OTEL_METRICS_EXPORTER", "none")
        .env("OTEL_LOGS_EXPORTER", "none");
  }
}
