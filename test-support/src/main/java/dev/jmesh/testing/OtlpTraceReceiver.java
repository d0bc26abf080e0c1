package dev.jmesh.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
import io.opentelemetry.proto.collector.logs.v1.LogsServiceGrpc;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.collector.metrics.v1.MetricsServiceGrpc;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.zip.GZIPInputStream;

/**
 * A fake OpenTelemetry collector for tests, listening on 127.0.0.1 at an ephemeral port: it
 * accepts OTLP trace exports as http/protobuf ({@code POST /v1/traces}, gzip or not) or as gRPC
 * ({@code TraceService/Export}), keeps every span it receives with its resource attributes, and
 * lets the test wait for them without sleeping. Over http/protobuf it also keeps the sum and gauge
 * points of metric exports ({@code POST /v1/metrics}); over gRPC metric and log exports are accepted
 * and dropped, as are log exports over http.
 *
 * <p>A {@linkplain #startHanging() hanging} receiver accepts TCP connections and reads whatever
 * arrives, but never answers: an exporter pointed at it waits until its own timeout.
 *
 * <pre>{@code
 * try (OtlpTraceReceiver receiver = OtlpTraceReceiver.startHttp()) {
 *   // OTEL_EXPORTER_OTLP_ENDPOINT=receiver.endpoint()
 *   // OTEL_EXPORTER_OTLP_PROTOCOL=receiver.protocol()
 *   List<ReceivedSpan> trace = receiver.awaitTrace(traceId, 5, Duration.ofSeconds(30));
 * }
 * }</pre>
 */
public final class OtlpTraceReceiver implements AutoCloseable {

  /** How the receiver listens. */
  public enum Protocol {
    /** OTLP/HTTP with protobuf bodies, on the JDK's HTTP server. */
    HTTP_PROTOBUF("http/protobuf"),
    /** OTLP/gRPC (plaintext HTTP/2), on gRPC's Netty server. */
    GRPC("grpc"),
    /** Accepts connections, reads, never answers. */
    HANGING("http/protobuf");

    private final String otelName;

    Protocol(String otelName) {
      this.otelName = otelName;
    }
  }

  private final Protocol protocol;
  private final List<ReceivedSpan> spans = new ArrayList<>();
  private final List<MetricPoint> metricPoints = new ArrayList<>();

  private final List<String> rejected = new CopyOnWriteArrayList<>();
  private int traceExports;
  private int connections;
  private int port;
  private AutoCloseable listener;

  /**
   * One data point of a sum or gauge received over http/protobuf: the metric's name, the point's
   * attributes, its value and the resource's {@code service.name}.
   */
  public record MetricPoint(
      String metric, Map<String, String> attributes, double value, String serviceName) {}

  private OtlpTraceReceiver(Protocol protocol) {
    this.protocol = protocol;
  }

  /** A receiver for {@code OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf}. */
  public static OtlpTraceReceiver startHttp() {
    return start(Protocol.HTTP_PROTOBUF);
  }

  /** A receiver for {@code OTEL_EXPORTER_OTLP_PROTOCOL=grpc}. */
  public static OtlpTraceReceiver startGrpc() {
    return start(Protocol.GRPC);
  }

  /** A collector that accepts connections and requests and never answers them. */
  public static OtlpTraceReceiver startHanging() {
    return start(Protocol.HANGING);
  }

  public static OtlpTraceReceiver start(Protocol protocol) {
    OtlpTraceReceiver receiver = new OtlpTraceReceiver(protocol);
    try {
      receiver.listener =
          switch (protocol) {
            case HTTP_PROTOBUF -> receiver.listenHttp();
            case GRPC -> receiver.listenGrpc();
            case HANGING -> receiver.listenHanging();
          };
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the OTLP receiver (" + protocol + ")", e);
    }
    return receiver;
  }

  /** The value for {@code OTEL_EXPORTER_OTLP_ENDPOINT}: {@code http://127.0.0.1:<port>}. */
  public String endpoint() {
    return "http://127.0.0.1:" + port;
  }

  /** The value for {@code OTEL_EXPORTER_OTLP_PROTOCOL}. */
  public String protocol() {
    return protocol.otelName;
  }

  public int port() {
    return port;
  }

  // --- what arrived -------------------------------------------------------------------------

  /** Every span received so far, in arrival order. */
  public synchronized List<ReceivedSpan> spans() {
    return List.copyOf(spans);
  }

  /** The spans of one trace received so far. */
  public synchronized List<ReceivedSpan> spansOfTrace(String traceId) {
    return spans.stream().filter(span -> span.traceId().equals(traceId)).toList();
  }

  /** The distinct trace ids among the received spans, in order of first arrival. */
  public synchronized Set<String> traceIds() {
    Set<String> ids = new LinkedHashSet<>();
    spans.forEach(span -> ids.add(span.traceId()));
    return ids;
  }

  /** How many trace export requests (http or gRPC) were answered. */
  public synchronized int traceExports() {
    return traceExports;
  }

  /**
   * Waits until a point of {@code metric} whose attributes include {@code attributes} has a value
   * of at least {@code atLeast}; returns it.
   */
  public MetricPoint awaitMetricPoint(
      String metric, Map<String, String> attributes, double atLeast, Duration timeout) {
    Predicate<MetricPoint> wanted =
        p ->
            p.metric().equals(metric)
                && p.attributes().entrySet().containsAll(attributes.entrySet())
                && p.value() >= atLeast;
    synchronized (this) {
      awaitUntil(
          "a point of " + metric + " with " + attributes + " >= " + atLeast,
          timeout,
          () -> metricPoints.stream().anyMatch(wanted),
          () -> "points " + metricPoints);
      return metricPoints.stream().filter(wanted).findFirst().orElseThrow();
    }
  }

  private synchronized void received(ExportMetricsServiceRequest request) {
    for (var resource : request.getResourceMetricsList()) {
      String service = null;
      for (var attribute : resource.getResource().getAttributesList()) {
        if (attribute.getKey().equals("service.name")) {
          service = attribute.getValue().getStringValue();
        }
      }
      for (var scope : resource.getScopeMetricsList()) {
        for (var metric : scope.getMetricsList()) {
          List<NumberDataPoint> points = List.of();
          if (metric.hasSum()) {
            points = metric.getSum().getDataPointsList();
          } else if (metric.hasGauge()) {
            points = metric.getGauge().getDataPointsList();
          }
          for (var point : points) {
            Map<String, String> attributes = new TreeMap<>();
            for (var attribute : point.getAttributesList()) {
              attributes.put(attribute.getKey(), attribute.getValue().getStringValue());
            }
            double value =
                point.getValueCase()
                        == NumberDataPoint.ValueCase.AS_INT
                    ? point.getAsInt()
                    : point.getAsDouble();
            metricPoints.add(new MetricPoint(metric.getName(), attributes, value, service));
          }
        }
      }
    }
    notifyAll();
  }

  /** How many TCP connections a hanging receiver accepted. */
  public synchronized int connections() {
    return connections;
  }

  /** Requests the receiver refused (wrong content type, undecodable body), with the reason. */
  public List<String> rejected() {
    return List.copyOf(rejected);
  }

  /** Forgets the spans received so far (counters stay). */
  public synchronized void clear() {
    spans.clear();
  }

  // --- waiting ------------------------------------------------------------------------------

  /**
   * Waits until the received spans satisfy {@code condition} and returns them; fails after {@code
   * timeout} with {@code what} and the spans received.
   */
  public synchronized List<ReceivedSpan> await(
      String what, Duration timeout, Predicate<List<ReceivedSpan>> condition) {
    awaitUntil(what, timeout, () -> condition.test(List.copyOf(spans)), () -> describe(spans));
    return List.copyOf(spans);
  }

  /** Waits until at least {@code count} spans have arrived, and returns all received. */
  public List<ReceivedSpan> awaitSpans(int count, Duration timeout) {
    return await(count + " spans", timeout, received -> received.size() >= count);
  }

  /** Waits until at least {@code count} spans of {@code traceId} have arrived, and returns them. */
  public List<ReceivedSpan> awaitTrace(String traceId, int count, Duration timeout) {
    await(
        count + " spans of trace " + traceId,
        timeout,
        received -> received.stream().filter(s -> s.traceId().equals(traceId)).count() >= count);
    return spansOfTrace(traceId);
  }

  /** Waits until a hanging receiver has accepted at least {@code count} connections. */
  public synchronized void awaitConnections(int count, Duration timeout) {
    awaitUntil(
        count + " connections to the OTLP receiver",
        timeout,
        () -> connections >= count,
        () -> connections + " connections");
  }

  /**
   * Waits (holding this receiver's lock, released while waiting) until {@code done}; fails after
   * {@code timeout} naming {@code what}, what was {@code received} and any rejected request.
   */
  private void awaitUntil(
      String what, Duration timeout, BooleanSupplier done, Supplier<String> received) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!done.getAsBoolean()) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError(
            "timed out after " + timeout.toSeconds() + " s waiting for " + what
                + "; received " + received.get()
                + (rejected.isEmpty() ? "" : "; rejected " + rejected));
      }
      try {
        TimeUnit.NANOSECONDS.timedWait(this, left);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting for " + what, e);
      }
    }
  }

  /** Spans, one a line, for failure messages. */
  public static String describe(List<ReceivedSpan> spans) {
    StringBuilder out = new StringBuilder().append(spans.size()).append(" spans");
    spans.forEach(span -> out.append("\n  ").append(span));
    return out.toString();
  }

  private synchronized void received(ExportTraceServiceRequest request) {
    spans.addAll(OtlpSpanDecoder.decode(request));
    traceExports++;
    notifyAll();
  }

  private synchronized void accepted() {
    connections++;
    notifyAll();
  }

  // --- listeners ----------------------------------------------------------------------------

  private AutoCloseable listenHttp() throws IOException {
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
    ExecutorService executor = Executors.newFixedThreadPool(2, daemonThreads("otlp-http"));
    server.setExecutor(executor);
    server.createContext("/", this::handleHttp);
    server.start();
    port = server.getAddress().getPort();
    return () -> {
      server.stop(0);
      executor.shutdownNow();
    };
  }

  private void handleHttp(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      if (!"POST".equals(exchange.getRequestMethod()) || !path.startsWith("/v1/")) {
        answer(exchange, 404, "text/plain", "not an OTLP endpoint".getBytes());
        return;
      }
      String type = exchange.getRequestHeaders().getFirst("Content-Type");
      if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("application/x-protobuf")) {
        rejected.add(path + ": content type " + type);
        answer(exchange, 415, "text/plain", "only application/x-protobuf".getBytes());
        return;
      }
      byte[] body;
      try (InputStream in = requestBody(exchange)) {
        body = in.readAllBytes();
      }
      if ("/v1/traces".equals(path)) {
        ExportTraceServiceRequest request;
        try {
          request = ExportTraceServiceRequest.parseFrom(body);
        } catch (IOException e) {
          rejected.add(path + ": " + e);
          answer(exchange, 400, "text/plain", String.valueOf(e).getBytes());
          return;
        }
        received(request);
        answer(
            exchange,
            200,
            "application/x-protobuf",
            ExportTraceServiceResponse.getDefaultInstance().toByteArray());
      } else if ("/v1/metrics".equals(path)) {
        try {
          received(ExportMetricsServiceRequest.parseFrom(body));
        } catch (IOException e) {
          rejected.add(path + ": " + e);
          answer(exchange, 400, "text/plain", String.valueOf(e).getBytes());
          return;
        }
        answer(
            exchange,
            200,
            "application/x-protobuf",
            ExportMetricsServiceResponse.getDefaultInstance().toByteArray());
      } else {
        // /v1/logs: accepted and dropped (its empty response is an empty body).
        answer(exchange, 200, "application/x-protobuf", new byte[0]);
      }
    }
  }

  private static InputStream requestBody(HttpExchange exchange) throws IOException {
    String encoding = exchange.getRequestHeaders().getFirst("Content-Encoding");
    InputStream in = exchange.getRequestBody();
    return "gzip".equalsIgnoreCase(encoding) ? new GZIPInputStream(in) : in;
  }

  private static void answer(HttpExchange exchange, int status, String type, byte[] body)
      throws IOException {
    exchange.getResponseHeaders().set("Content-Type", type);
    exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    if (body.length > 0) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  private AutoCloseable listenGrpc() throws IOException {
    Server server =
        NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
            .addService(new TraceService())
            .addService(new MetricsService())
            .addService(new LogsService())
            .build()
            .start();
    port = server.getPort();
    return () -> {
      server.shutdownNow();
      server.awaitTermination(5, TimeUnit.SECONDS);
    };
  }

  private final class TraceService extends TraceServiceGrpc.TraceServiceImplBase {
    @Override
    public void export(
        ExportTraceServiceRequest request, StreamObserver<ExportTraceServiceResponse> response) {
      received(request);
      response.onNext(ExportTraceServiceResponse.getDefaultInstance());
      response.onCompleted();
    }
  }

  private static final class MetricsService extends MetricsServiceGrpc.MetricsServiceImplBase {
    @Override
    public void export(
        ExportMetricsServiceRequest request,
        StreamObserver<ExportMetricsServiceResponse> response) {
      response.onNext(ExportMetricsServiceResponse.getDefaultInstance());
      response.onCompleted();
    }
  }

  private static final class LogsService extends LogsServiceGrpc.LogsServiceImplBase {
    @Override
    public void export(
        ExportLogsServiceRequest request, StreamObserver<ExportLogsServiceResponse> response) {
      response.onNext(ExportLogsServiceResponse.getDefaultInstance());
      response.onCompleted();
    }
  }

  private AutoCloseable listenHanging() throws IOException {
    ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    port = server.getLocalPort();
    List<Socket> held = new CopyOnWriteArrayList<>();
    Thread acceptor =
        new Thread(
            () -> {
              while (!server.isClosed()) {
                try {
                  Socket socket = server.accept();
                  held.add(socket);
                  accepted();
                  Thread reader = new Thread(() -> drain(socket), "otlp-hanging-reader");
                  reader.setDaemon(true);
                  reader.start();
                } catch (IOException e) {
                  // closed
                }
              }
            },
            "otlp-hanging-acceptor");
    acceptor.setDaemon(true);
    acceptor.start();
    return () -> {
      server.close();
      for (Socket socket : held) {
        socket.close();
      }
    };
  }

  /** Reads and discards until the peer closes; never writes. */
  private static void drain(Socket socket) {
    byte[] buffer = new byte[8192];
    try (InputStream in = socket.getInputStream()) {
      while (in.read(buffer) != -1) {
        // discard
      }
    } catch (IOException e) {
      // closed
    }
  }

  private static java.util.concurrent.ThreadFactory daemonThreads(String name) {
    return runnable -> {
      Thread thread = new Thread(runnable, name);
      thread.setDaemon(true);
      return thread;
    };
  }

  @Override
  public void close() {
    try {
      listener.close();
    } catch (Exception e) {
      throw new IllegalStateException("cannot stop the OTLP receiver", e);
    }
  }

  @Override
  public String toString() {
    return "OTLP receiver (" + protocol + ") at " + endpoint();
  }
}
