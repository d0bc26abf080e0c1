package dev.jmesh.benchmarks.micro;

import dev.jmesh.agent.http.RequestEdit;
import dev.jmesh.agent.tracing.RequestSpan;
import dev.jmesh.agent.tracing.RequestSpans;
import dev.jmesh.agent.tracing.Tracing;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A request's span through the agent when it is not sampled (99 % of requests at Istio's 1 %):
 * the tracing edit of each side ({@code Tracing.clientSpans} on egress, {@code serverSpans}
 * inbound: span start, {@code x-request-id}, propagation headers rewritten) and the span's end,
 * with the agent's OpenTelemetry SDK built as the agent builds it (no exporter). The request
 * carries an unsampled {@code traceparent}, so the parent-based sampler drops it. Each operation
 * also builds the decoded request it edits (a Netty {@code DefaultHttpRequest} with five headers),
 * as the decoder would.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RequestSpanBenchmark {

  private Tracing tracing;
  private final RequestSpans clientSpans = new RequestSpans();
  private final RequestSpans serverSpans = new RequestSpans();
  private RequestEdit client;
  private RequestEdit server;
  private final InetSocketAddress peer = new InetSocketAddress("127.0.0.1", 15443);

  @Setup
  public void setUp() {
    tracing =
        Tracing.create(
            new Tracing.Workload("bench-client", "default", "v1"),
            Map.of("otel.traces.exporter", "none"),
            builder -> {});
    client = tracing.clientSpans(clientSpans, "bench-server", 8080);
    server = tracing.serverSpans(serverSpans, peer, 15006);
  }

  @TearDown
  public void tearDown() {
    tracing.shutdown();
  }

  static HttpRequest request() {
    HttpRequest request =
        new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/orders/42?expand=items");
    request
        .headers()
        .add("Host", "bench-server:8080")
        .add("User-Agent", "Java-http-client/17.0.15")
        .add("Content-Type", "application/octet-stream")
        .add("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00")
        .add("Content-Length", "1024");
    return request;
  }

  @Benchmark
  public HttpRequest buildRequestOnly() {
    return request();
  }

  @Benchmark
  public HttpRequest clientSpanStartAndEndUnsampled() {
    HttpRequest request = request();
    client.edit(request);
    RequestSpan span = clientSpans.poll();
    span.end(null, peer, 200, "-");
    return request;
  }

  @Benchmark
  public HttpRequest serverSpanStartAndEndUnsampled() {
    HttpRequest request = request();
    server.edit(request);
    RequestSpan span = serverSpans.poll();
    span.end(null, null, 200, "-");
    return request;
  }
}
