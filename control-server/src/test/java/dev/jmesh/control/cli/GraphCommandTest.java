package dev.jmesh.control.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jmesh.control.Json;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The lines {@code graph} prints for HTTP and TCP-only edges. */
class GraphCommandTest {

  @Test
  void oneAlignedLinePerEdgeWithRateErrorsP99AndMtls() throws Exception {
    String graph =
        """
        {"windowSeconds":60,"nodes":[],"edges":[
          {"source":"frontend.default","destination":"orders.default","protocol":"http",
           "mtls":true,"signals":{"requestsPerSecond":12.0,"errorRate":0.0,"p99Millis":8.2,
           "mtlsShare":1.0}},
          {"source":"a.default","destination":"db.default","protocol":"tcp","mtls":false,
           "signals":{"requestsPerSecond":0,"tcpConnectionsOpened":3,"tcpConnectionsFailed":2,
           "tcpReceivedBytes":2048,"tcpSentBytes":100,"mtlsShare":0.0}}]}
        """;

    List<String> lines = GraphCommand.lines(Json.MAPPER.readTree(graph));

    assertEquals(
        List.of(
            "frontend.default -> orders.default  12.0 rps  0.0% err  p99 8 ms  mTLS",
            "a.default -> db.default             tcp  3 conns  2.0 KiB in  100 B out"
                + "  2 failed conns  plaintext"),
        lines);
  }
}
