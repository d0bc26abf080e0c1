package dev.jmesh.control.http;

import dev.jmesh.api.EdgeStats;
import dev.jmesh.api.SpiffeId;
import dev.jmesh.api.StatsReport;
import dev.jmesh.control.ApiException;
import dev.jmesh.control.stats.LiveStats;
import dev.jmesh.control.stats.ServiceGraph;
import dev.jmesh.policy.GoDuration;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Live traffic: agents report what each edge carried ({@code POST /v1/stats}, workload
 * certificate), operators read the golden signals per service and the service graph over a recent
 * window ({@code GET /v1/stats/services}, {@code GET /v1/stats/graph}, admin token; also under
 * {@code /api/v1/stats/…}).
 */
public final class StatsApi {

  public static final Duration DEFAULT_WINDOW = Duration.ofMinutes(1);
  static final int MAX_EDGES_PER_REPORT = 5000;

  private final LiveStats stats;
  private final CallerAuthentication callers;

  public StatsApi(LiveStats stats, CallerAuthentication callers) {
    this.stats = stats;
    this.callers = callers;
  }

  public void addRoutes(Router router) {
    router.add("POST", "/v1/stats", this::report);
    for (String prefix : List.of("/v1", "/api/v1")) {
      router
          .add("GET", prefix + "/stats/services", admin(this::services))
          .add("GET", prefix + "/stats/graph", admin(this::graph));
    }
  }

  private ApiHandler admin(ApiHandler handler) {
    return request -> {
      callers.requireAdmin(request);
      return handler.handle(request);
    };
  }

  private ApiResponse report(ApiRequest request) throws ApiException, IOException {
    SpiffeId caller = callers.workload(request);
    StatsReport report = request.bodyAs(StatsReport.class);
    List<EdgeStats> edges = report.edges() == null ? List.of() : report.edges();
    if (edges.size() > MAX_EDGES_PER_REPORT) {
      throw ApiException.badRequest(
          "POST /v1/stats: the report has "
              + edges.size()
              + " edges; at most "
              + MAX_EDGES_PER_REPORT
              + " are accepted");
    }
    for (int i = 0; i < edges.size(); i++) {
      checkEdge("edges[" + i + "]", edges.get(i), caller);
    }
    stats.record(edges);
    return ApiResponse.noContent();
  }

  /** 400 for a malformed edge, 403 for an edge the caller is neither source nor destination of. */
  static void checkEdge(String where, EdgeStats edge, SpiffeId caller) throws ApiException {
    if (edge == null) {
      throw ApiException.badRequest("POST /v1/stats: " + where + " is null");
    }
    String at = "POST /v1/stats: " + where;
    boolean source = EdgeStats.SOURCE.equals(edge.reporter());
    boolean destination = EdgeStats.DESTINATION.equals(edge.reporter());
    if (!source && !destination) {
      throw ApiException.badRequest(
          at + ".reporter is '" + edge.reporter() + "'; expected source or destination");
    }
    requireName(at + ".sourceWorkload", edge.sourceWorkload(), destination);
    requireName(at + ".sourceNamespace", edge.sourceNamespace(), destination);
    requireName(at + ".destinationService", edge.destinationService(), false);
    requireName(at + ".destinationNamespace", edge.destinationNamespace(), false);
    boolean callerIsSource =
        caller.service().equals(edge.sourceWorkload())
            && caller.namespace().equals(edge.sourceNamespace());
    boolean callerIsDestination =
        caller.service().equals(edge.destinationService())
            && caller.namespace().equals(edge.destinationNamespace());
    if (source ? !callerIsSource : !callerIsDestination) {
      throw ApiException.forbidden(
          at
              + " ("
              + edge.sourceWorkload()
              + "."
              + edge.sourceNamespace()
              + " -> "
              + edge.destinationService()
              + "."
              + edge.destinationNamespace()
              + ", reporter "
              + edge.reporter()
              + ") is not an edge of the caller "
              + caller.path()
              + ": a workload reports only edges it is the "
              + edge.reporter()
              + " of");
    }
    List<Long> buckets = edge.durationBuckets();
    if (buckets == null || buckets.size() != EdgeStats.DURATION_BUCKET_COUNT) {
      throw ApiException.badRequest(
          at
              + ".durationBuckets has "
              + (buckets == null ? "no" : String.valueOf(buckets.size()))
              + " entries; expected "
              + EdgeStats.DURATION_BUCKET_COUNT
              + " (one per bound of EdgeStats.DURATION_BUCKETS_MILLIS and one above)");
    }
    long requests = 0;
    for (Long count : buckets) {
      if (count == null || count < 0) {
        throw ApiException.badRequest(at + ".durationBuckets holds " + count);
      }
      requests += count;
    }
    if (edge.requests() != requests) {
      throw ApiException.badRequest(
          at
              + ".requests is "
              + edge.requests()
              + " but durationBuckets add up to "
              + requests);
    }
    if (edge.errors() < 0
        || edge.tcpOpened() < 0
        || edge.tcpClosed() < 0
        || edge.tcpSentBytes() < 0
        || edge.tcpReceivedBytes() < 0
        || edge.tcpFailed() < 0
        || edge.tcpFailed() > edge.tcpOpened()
        || !(edge.durationSumMillis() >= 0)
        || Double.isInfinite(edge.durationSumMillis())) {
      throw ApiException.badRequest(
          at + " holds a negative or non-finite count, or more failed connections than opened");
    }
  }

  private static void requireName(String field, String value, boolean mayBeUnknown)
      throws ApiException {
    if (mayBeUnknown && ServiceGraph.UNKNOWN.equals(value)) {
      return;
    }
    if (!SpiffeId.isValidName(value)) {
      throw ApiException.badRequest(field + " '" + value + "' is not a valid name");
    }
  }

  private ApiResponse services(ApiRequest request) throws ApiException {
    ServiceGraph.ServicesView view = ServiceGraph.of(stats, window(request)).services();
    Optional<String> service = request.query("service");
    Optional<String> namespace = request.query("namespace");
    if (service.isPresent() || namespace.isPresent()) {
      view =
          new ServiceGraph.ServicesView(
              view.windowSeconds(),
              view.services().stream()
                  .filter(s -> service.isEmpty() || service.get().equals(s.service()))
                  .filter(s -> namespace.isEmpty() || namespace.get().equals(s.namespace()))
                  .toList());
    }
    return ApiResponse.ok(view);
  }

  private ApiResponse graph(ApiRequest request) throws ApiException {
    return ApiResponse.ok(ServiceGraph.of(stats, window(request)).graph());
  }

  /** {@code ?window=} as a Go duration, 10s to 5m; 1m by default. */
  static Duration window(ApiRequest request) throws ApiException {
    Optional<String> text = request.query("window");
    if (text.isEmpty()) {
      return DEFAULT_WINDOW;
    }
    Duration window;
    try {
      window = GoDuration.parse(text.get());
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest(
          "query parameter 'window' of " + request.describe() + ": " + e.getMessage());
    }
    if (window.compareTo(LiveStats.SLOT) < 0 || window.compareTo(LiveStats.MAX_WINDOW) > 0) {
      throw ApiException.badRequest(
          "query parameter 'window' of "
              + request.describe()
              + " is "
              + text.get()
              + "; it must be between 10s and 5m");
    }
    return window;
  }
}
