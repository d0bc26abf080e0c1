package dev.jmesh.agent.outbound;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jmesh.agent.tls.TestClients;
import dev.jmesh.testing.PrometheusText;
import java.net.Socket;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code jmesh_agent_request_processing_seconds} takes one sample per HTTP/1 request on each side
 * that relays it: the egress as {@code direction="outbound"}, the inbound as {@code "inbound"}.
 */
class RequestProcessingTimeTest {

  private static final String COUNT = "jmesh_agent_request_processing_seconds_count";

  private TracedMesh mesh;

  @AfterEach
  void tearDown() {
    if (mesh != null) {
      mesh.close();
    }
  }

  @Test
  void eachSideTimesEveryRequestOnce() throws Exception {
    mesh = new TracedMesh(null, null, null);
    try (Socket socket = TestClients.plain(mesh.egress())) {
      for (int i = 0; i < 3; i++) {
        String response = TracedMesh.exchange(socket, "GET", "/timed/" + i);
        assertTrue(response.startsWith("HTTP/1.1 200"), response);
      }
    }
    PrometheusText web = new PrometheusText(mesh.clientMetrics.scrape());
    PrometheusText orders = new PrometheusText(mesh.serverMetrics.scrape());
    assertEquals("histogram", web.type("jmesh_agent_request_processing_seconds"));
    assertEquals(3.0, web.sum(COUNT, Map.of("direction", "outbound")));
    assertEquals(0.0, web.sum(COUNT, Map.of("direction", "inbound")));
    assertEquals(3.0, orders.sum(COUNT, Map.of("direction", "inbound")));
    assertEquals(0.0, orders.sum(COUNT, Map.of("direction", "outbound")));
    assertTrue(
        web.sum("jmesh_agent_request_processing_seconds_sum", Map.of("direction", "outbound")) > 0);
  }
}
