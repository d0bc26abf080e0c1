package dev.jmesh.control.stats;

import dev.jmesh.api.EdgeStats;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The service graph of a window, built from {@link LiveStats}: one edge per (source workload,
 * destination service) with the golden signals of its traffic, and per service the signals of the
 * traffic it received. A call both agents reported is counted once: the destination's report is
 * used, the source's only where the destination reported nothing (Istio's and Kiali's rule), except
 * for connections that never reached the destination, which only the source can report.
 */
public final class ServiceGraph {

  /** The node of clients without a mesh identity (plaintext), as Istio labels them. */
  public static final String UNKNOWN = "unknown";

  /** A workload or service in the graph; plaintext clients are the node {@code unknown}. */
  public record Node(String id, String name, String namespace) {}

  /**
   * An edge of the graph.
   *
   * @param reporter whose reports the signals come from: destination or source
   * @param protocol http when the edge carried HTTP requests, else tcp
   * @param mtls whether all of the edge's traffic used mutual TLS
   */
  public record Edge(
      String source,
      String destination,
      String reporter,
      String protocol,
      boolean mtls,
      GoldenSignals signals) {}

  /** A service and the signals of the traffic it received ({@code reporter} as for edges). */
  public record Service(
      String service, String namespace, String reporter, GoldenSignals signals) {}

  /** {@code GET /v1/stats/graph}. */
  public record GraphView(double windowSeconds, List<Node> nodes, List<Edge> edges) {}

  /** {@code GET /v1/stats/services}. */
  public record ServicesView(double windowSeconds, List<Service> services) {}

  private record Pair(
      String sourceWorkload, String sourceNamespace, String service, String namespace) {}

  private record Chosen(String reporter, TrafficCounts counts) {}

  private final double windowSeconds;
  private final Map<Pair, Chosen> pairs;

  private ServiceGraph(double windowSeconds, Map<Pair, Chosen> pairs) {
    this.windowSeconds = windowSeconds;
    this.pairs = pairs;
  }

  /** The graph of {@code stats} over the last {@code window}. */
  public static ServiceGraph of(LiveStats stats, Duration window) {
    return of(stats.window(window), window.toMillis() / 1000.0);
  }

  static ServiceGraph of(Map<EdgeKey, TrafficCounts> edges, double windowSeconds) {
    Map<Pair, TrafficCounts> destination = new HashMap<>();
    Map<Pair, TrafficCounts> source = new HashMap<>();
    edges.forEach(
        (key, counts) -> {
          Pair pair =
              new Pair(
                  key.sourceWorkload(),
                  key.sourceNamespace(),
                  key.destinationService(),
                  key.destinationNamespace());
          Map<Pair, TrafficCounts> side =
              EdgeStats.DESTINATION.equals(key.reporter()) ? destination : source;
          side.computeIfAbsent(pair, p -> new TrafficCounts()).add(counts);
        });
    Map<Pair, Chosen> pairs = new HashMap<>();
    source.forEach((pair, counts) -> pairs.put(pair, new Chosen(EdgeStats.SOURCE, counts)));
    destination.forEach(
        (pair, counts) -> {
          // Connections that never got through exist only in the source's reports.
          TrafficCounts fromSource = source.get(pair);
          if (fromSource != null) {
            counts.tcpFailed += fromSource.tcpFailed;
          }
          pairs.put(pair, new Chosen(EdgeStats.DESTINATION, counts));
        });
    return new ServiceGraph(windowSeconds, pairs);
  }

  public GraphView graph() {
    Map<String, Node> nodes = new TreeMap<>();
    List<Edge> edges = new ArrayList<>();
    pairs.forEach(
        (pair, chosen) -> {
          Node from = node(pair.sourceWorkload(), pair.sourceNamespace());
          Node to = node(pair.service(), pair.namespace());
          nodes.put(from.id(), from);
          nodes.put(to.id(), to);
          TrafficCounts c = chosen.counts();
          boolean mtls =
              c.requests > 0
                  ? c.mtlsRequests == c.requests
                  : c.tcpOpened > 0 && c.mtlsTcpOpened == c.tcpOpened;
          edges.add(
              new Edge(
                  from.id(),
                  to.id(),
                  chosen.reporter(),
                  c.requests > 0 ? "http" : "tcp",
                  mtls,
                  GoldenSignals.of(c, windowSeconds)));
        });
    edges.sort(Comparator.comparing(Edge::source).thenComparing(Edge::destination));
    return new GraphView(windowSeconds, List.copyOf(nodes.values()), edges);
  }

  /**
   * Every service that received traffic, and every meshed workload that sent some (with nothing
   * received), sorted by namespace and name.
   */
  public ServicesView services() {
    Map<Node, TrafficCounts> received = new TreeMap<>(Comparator.comparing(Node::id));
    Map<Node, String> reporters = new HashMap<>();
    pairs.forEach(
        (pair, chosen) -> {
          Node to = node(pair.service(), pair.namespace());
          received.computeIfAbsent(to, n -> new TrafficCounts()).add(chosen.counts());
          reporters.merge(to, chosen.reporter(), (a, b) -> a.equals(b) ? a : "mixed");
          Node from = node(pair.sourceWorkload(), pair.sourceNamespace());
          if (!UNKNOWN.equals(from.name())) {
            received.computeIfAbsent(from, n -> new TrafficCounts());
          }
        });
    List<Service> services = new ArrayList<>();
    received.forEach(
        (node, counts) ->
            services.add(
                new Service(
                    node.name(),
                    node.namespace(),
                    reporters.getOrDefault(node, "-"),
                    GoldenSignals.of(counts, windowSeconds))));
    return new ServicesView(windowSeconds, services);
  }

  private static Node node(String name, String namespace) {
    if (UNKNOWN.equals(name)) {
      return new Node(UNKNOWN, UNKNOWN, UNKNOWN);
    }
    return new Node(name + "." + namespace, name, namespace);
  }
}
