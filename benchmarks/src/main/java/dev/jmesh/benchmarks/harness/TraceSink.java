package dev.jmesh.benchmarks.harness;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A local OTLP/HTTP trace endpoint that accepts every export and throws it away, so that the jmesh
 * set-up runs with tracing on (everything the agent does, as the issue asks) without a collector.
 * Counts what arrived, to show in the results that spans were really exported.
 */
final class TraceSink implements AutoCloseable {

  private final HttpServer server;
  private final AtomicLong exports = new AtomicLong();
  private final AtomicLong bytes = new AtomicLong();

  private TraceSink(HttpServer server) {
    this.server = server;
  }

  static TraceSink start() throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
    TraceSink sink = new TraceSink(server);
    server.createContext(
        "/v1/traces",
        exchange -> {
          try (exchange; InputStream in = exchange.getRequestBody()) {
            sink.bytes.addAndGet(in.transferTo(java.io.OutputStream.nullOutputStream()));
            sink.exports.incrementAndGet();
            // An empty ExportTraceServiceResponse is zero bytes of protobuf.
            exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
            exchange.sendResponseHeaders(200, -1);
          }
        });
    server.setExecutor(Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "trace-sink");
      t.setDaemon(true);
      return t;
    }));
    server.start();
    return sink;
  }

  /** The base URL for {@code otel.exporter.otlp.endpoint}. */
  String endpoint() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  long exports() {
    return exports.get();
  }

  long bytes() {
    return bytes.get();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
