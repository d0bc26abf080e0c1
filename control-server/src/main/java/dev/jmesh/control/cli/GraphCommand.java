package dev.jmesh.control.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code graph}: the service graph with each edge's golden signals. */
@Command(
    name = "graph",
    description =
        "Show the service graph: who calls whom, with each edge's rate, errors, p99 latency and"
            + " whether it is mTLS, over a recent window.",
    mixinStandardHelpOptions = true)
final class GraphCommand extends ClientCommand {

  @Mixin SignalOptions signal;

  @Override
  int run(ControlServerClient client) throws ClientException {
    boolean json = signal.json();
    JsonNode graph = client.get("/v1/stats/graph?" + signal.windowQuery());
    if (json) {
      out().println(graph.toPrettyString());
      return 0;
    }
    if (graph.path("edges").isEmpty()) {
      err().println("No traffic reported in the last " + SignalFormat.window(graph) + ".");
      return 0;
    }
    for (String line : lines(graph)) {
      out().println(line);
    }
    return 0;
  }

  /**
   * One line per edge: {@code frontend.default -> orders.default  12.0 rps  0.0% err  p99 8 ms
   * mTLS}; TCP-only edges show connections and bytes instead.
   */
  static List<String> lines(JsonNode graph) {
    JsonNode edges = graph.path("edges");
    int width = 0;
    for (JsonNode edge : edges) {
      width = Math.max(width, arrow(edge).length());
    }
    List<String> lines = new ArrayList<>();
    for (JsonNode edge : edges) {
      JsonNode s = edge.path("signals");
      String figures =
          "http".equals(edge.path("protocol").asText())
              ? SignalFormat.rps(s)
                  + " rps  "
                  + SignalFormat.errorPercent(s)
                  + " err  p99 "
                  + SignalFormat.millis(s.path("p99Millis"))
              : "tcp  "
                  + s.path("tcpConnectionsOpened").asLong()
                  + " conns  "
                  + SignalFormat.bytes(s.path("tcpReceivedBytes").asLong())
                  + " in  "
                  + SignalFormat.bytes(s.path("tcpSentBytes").asLong())
                  + " out";
      long failed = s.path("tcpConnectionsFailed").asLong();
      if (failed > 0) {
        figures += "  " + failed + " failed conns";
      }
      String arrow = arrow(edge);
      lines.add(
          arrow + " ".repeat(width - arrow.length() + 2) + figures + "  " + SignalFormat.mtls(s));
    }
    return lines;
  }

  private static String arrow(JsonNode edge) {
    return edge.path("source").asText() + " -> " + edge.path("destination").asText();
  }
}
