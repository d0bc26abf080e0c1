package dev.jmesh.benchmarks.micro;

import dev.jmesh.agent.http.HttpSniffer;
import dev.jmesh.agent.http.RequestEdit;
import dev.jmesh.agent.http.RequestHeadersHandler;
import dev.jmesh.agent.tracing.RequestIds;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
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
 * What a relay does to every HTTP/1 request (inbound and egress alike): a 1 KB POST as the load
 * generator sends it is decoded ({@code HttpSniffer.newDecoder()}), its headers edited by a {@code
 * RequestEdit} in a {@code RequestHeadersHandler}, and encoded again towards the other side, in
 * Netty {@code EmbeddedChannel}s instead of sockets. Three edits: none that changes anything (an
 * {@code x-request-id} is there, tracing off), the header rewrite that tracing on makes (a new {@code
 * x-request-id} and a {@code traceparent} replaced by a fixed one: only the header work, the span
 * behind it is {@code RequestSpanBenchmark}'s), and the bare decode-and-encode without any handler
 * in between for reference. Score per request; bytes out are released.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
// The Netty codec path compiles late: ten warm-up seconds before it settles on this machine.
@Warmup(iterations = 10, time = 1)
@Measurement(iterations = 3, time = 1)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RequestPathBenchmark {

  static final byte[] BODY = new byte[1024];

  /** The load generator's request, with a browser-like set of headers around it. */
  static byte[] post(String extraHeaders) {
    String head =
        "POST /orders/42?expand=items HTTP/1.1\r\n"
            + "Host: bench-server:8080\r\n"
            + "User-Agent: Java-http-client/17.0.15\r\n"
            + "Accept: application/json\r\n"
            + "Content-Type: application/octet-stream\r\n"
            + extraHeaders
            + "Content-Length: "
            + BODY.length
            + "\r\n\r\n";
    byte[] headBytes = head.getBytes(StandardCharsets.US_ASCII);
    byte[] bytes = Arrays.copyOf(headBytes, headBytes.length + BODY.length);
    System.arraycopy(BODY, 0, bytes, headBytes.length, BODY.length);
    return bytes;
  }

  private static final String TRACEPARENT =
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

  private ByteBuf withRequestId;
  private ByteBuf withTraceparent;
  private EmbeddedChannel unchanged;
  private EmbeddedChannel injected;
  private EmbeddedChannel plain;
  private EmbeddedChannel out;

  @Setup
  public void setUp() {
    String requestId = "x-request-id: 5b8f1d3e-7d0a-4c1e-9a2b-3c4d5e6f7a8b\r\n";
    withRequestId =
        Unpooled.unreleasableBuffer(Unpooled.directBuffer().writeBytes(post(requestId)));
    withTraceparent =
        Unpooled.unreleasableBuffer(
            Unpooled.directBuffer().writeBytes(post("traceparent: " + TRACEPARENT + "\r\n")));
    RequestEdit ensureId = RequestIds::ensure;
    RequestEdit tracingLike =
        ensureId.andThen(
            request -> {
              request.headers().remove("traceparent");
              request
                  .headers()
                  .set("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-b7ad6b7169203331-01");
            });
    unchanged = relay(ensureId);
    injected = relay(tracingLike);
    plain = new EmbeddedChannel(HttpSniffer.newDecoder());
    out = new EmbeddedChannel(new HttpRequestEncoder());
  }

  private static EmbeddedChannel relay(RequestEdit edit) {
    return new EmbeddedChannel(
        HttpSniffer.newDecoder(), new RequestHeadersHandler(edit, "decoder", nanos -> {}));
  }

  @TearDown
  public void tearDown() {
    unchanged.finishAndReleaseAll();
    injected.finishAndReleaseAll();
    plain.finishAndReleaseAll();
    out.finishAndReleaseAll();
  }

  /** Decodes one request on {@code in}, encodes what comes out on {@code out}; bytes written. */
  private long relay(EmbeddedChannel in, ByteBuf request) {
    in.writeInbound(request.duplicate());
    Object msg;
    while ((msg = in.readInbound()) != null) {
      out.writeOutbound(msg);
    }
    long written = 0;
    while ((msg = out.readOutbound()) != null) {
      written += ((ByteBuf) msg).readableBytes();
      ReferenceCountUtil.release(msg);
    }
    return written;
  }

  @Benchmark
  public long decodeAndEncodeOnly() {
    return relay(plain, withRequestId);
  }

  @Benchmark
  public long editThatChangesNothing() {
    return relay(unchanged, withRequestId);
  }

  @Benchmark
  public long editInjectingTraceHeaders() {
    return relay(injected, withTraceparent);
  }
}
