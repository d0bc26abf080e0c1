package dev.jmesh.smoke;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jmesh.testing.PrometheusText;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Istio's standard metrics and access logs from the real agent jar: a calls b N times; a's agent
 * reports them as reporter="source", b's as reporter="destination" with a's identity and mTLS, both
 * at /metrics (Prometheus text); b writes one access-log line per request.
 */
@ExtendWith(PrintProcessOutputOnFailure.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class TelemetrySmokeTest {

  private static final int N = 7;
  private static ControlServer control;
  private static MeshApp a;
  private static MeshApp b;
  private static Path accessLog;

  @BeforeAll
  static void startMesh() throws Exception {
    accessLog = Files.createTempFile("jmesh-access", ".log");
    control = ControlServer.start();
    a = MeshApp.builder("a", MeshApp.JDK_HTTP_SERVER).joining(control).start();
    b =
        MeshApp.builder("b", MeshApp.JDK_HTTP_SERVER)
            .joining(control)
            .agentProperty("jmesh.accesslog", accessLog.toString())
            .agentProperty("jmesh.labels", "app=bee,version=v2")
            .start();
    a.awaitReady();
    b.awaitReady();
  }

  @AfterAll
  static void stopMesh() throws Exception {
    SmokeEnvironment.closeAll(a, b, control);
    Files.deleteIfExists(accessLog);
  }

  private static PrometheusText scrape(MeshApp app) throws Exception {
    Http.Response response = Http.get(app.adminPort(), "/metrics");
    assertEquals(200, response.status(), () -> app + " /metrics: " + response);
    String type = response.headers().get("content-type").get(0);
    assertTrue(type.startsWith("text/plain; version=0.0.4"), type);
    return new PrometheusText(response.body());
  }

  @Test
  void bothAgentsReportEveryCallWithIstiosLabels() throws Exception {
    a.awaitCallOk("http://b:" + b.port() + "/hello", "jdk");
    Map<String, String> source =
        Map.of(
            "reporter", "source",
            "source_workload", "a",
            "source_principal", a.spiffeId(),
            "destination_workload", "b",
            "destination_principal", b.spiffeId(),
            "destination_app", "bee",
            "destination_version", "v2",
            "destination_service", "b.default.svc.cluster.local",
            "request_protocol", "http",
            "response_code", "200");
    Map<String, String> destination =
        Map.of(
            "reporter", "destination",
            "source_workload", "a",
            "source_principal", a.spiffeId(),
            "destination_workload", "b",
            "destination_principal", b.spiffeId(),
            "destination_app", "bee",
            "destination_canonical_service", "bee",
            "destination_canonical_revision", "v2",
            "response_code", "200",
            "connection_security_policy", "mutual_tls");
    // The warm-up call has been counted once it answered; wait for both sides to show it.
    Poll.until(
        Duration.ofSeconds(10),
        "both agents to count the warm-up call",
        () ->
            scrape(a).sum("istio_requests_total", source) >= 1
                && scrape(b).sum("istio_requests_total", destination) >= 1);
    double sourceBefore = scrape(a).sum("istio_requests_total", source);
    double destinationBefore = scrape(b).sum("istio_requests_total", destination);
    long linesBefore = Files.readAllLines(accessLog).size();

    for (int i = 0; i < N; i++) {
      a.callOk("http://b:" + b.port() + "/hello?i=" + i, i % 2 == 0 ? "jdk" : "urlconnection");
    }

    Poll.until(
        Duration.ofSeconds(10),
        "b's agent to count " + N + " more requests from a",
        () -> scrape(b).sum("istio_requests_total", destination) == destinationBefore + N);
    PrometheusText client = scrape(a);
    assertEquals(sourceBefore + N, client.sum("istio_requests_total", source));
    assertEquals(
        "unknown",
        client.find("istio_requests_total", source).get(0).labels().get("connection_security_policy"));
    assertTrue(client.sum("istio_request_duration_milliseconds_count", source) >= N + 1);
    assertTrue(client.sum("istio_tcp_connections_opened_total", Map.of("reporter", "source")) >= 1);

    PrometheusText server = scrape(b);
    assertEquals(
        server.sum("istio_requests_total", destination),
        server.sum("istio_response_bytes_count", destination));
    assertTrue(server.sum("istio_tcp_received_bytes_total", Map.of("reporter", "destination")) > 0);
    assertEquals(
        "histogram", server.type("istio_request_duration_milliseconds"), "histogram type line");

    Poll.until(
        Duration.ofSeconds(10),
        "b's access log to have " + N + " more lines",
        () -> Files.readAllLines(accessLog).size() >= linesBefore + N);
    List<String> lines = Files.readAllLines(accessLog);
    String last = lines.get(lines.size() - 1);
    Map<String, Object> json = Json.parseObject(last);
    assertEquals("GET", json.get("method"), last);
    assertTrue(String.valueOf(json.get("path")).startsWith("/hello?i="), last);
    assertEquals(200, ((Number) json.get("response_code")).intValue(), last);
    assertEquals(a.spiffeId(), json.get("source_principal"), last);
    assertEquals(b.spiffeId(), json.get("destination_principal"), last);
  }
}
