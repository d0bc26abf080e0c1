package dev.jmesh.benchmarks.micro;

import dev.jmesh.agent.http.ResponseScanner;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
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
 * How the metrics tap follows every response ({@code dev.jmesh.agent.http.ResponseScanner}): a 1 KB
 * response as the JDK {@code HttpServer} writes it, and an 8 KB chunked one in 1 KB chunks, each
 * read to its end. Beside it, what the tap did before: a copy of the bytes through Netty's {@code
 * HttpResponseDecoder} in an {@code EmbeddedChannel}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 3, time = 1)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ResponseScannerBenchmark {

  private ByteBuf fixed;
  private ByteBuf chunked;
  private ResponseScanner scanner;
  private EmbeddedChannel decoder;
  private long ended;

  @Setup
  public void setUp() {
    String head =
        "HTTP/1.1 200 OK\r\n"
            + "Date: Mon, 23 Nov 2026 16:00:00 GMT\r\n"
            + "Content-type: application/octet-stream\r\n"
            + "Content-length: 1024\r\n\r\n";
    ByteBuf f = Unpooled.directBuffer();
    f.writeBytes(head.getBytes(StandardCharsets.US_ASCII)).writeBytes(new byte[1024]);
    fixed = Unpooled.unreleasableBuffer(f);
    ByteBuf c = Unpooled.directBuffer();
    c.writeBytes(
        ("HTTP/1.1 200 OK\r\nDate: Mon, 23 Nov 2026 16:00:00 GMT\r\n"
                + "Content-type: application/json\r\nTransfer-encoding: chunked\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
    for (int i = 0; i < 8; i++) {
      c.writeBytes("400\r\n".getBytes(StandardCharsets.US_ASCII)).writeBytes(new byte[1024]);
      c.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
    }
    c.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    chunked = Unpooled.unreleasableBuffer(c);
    scanner =
        new ResponseScanner(
            new ResponseScanner.Listener() {
              @Override
              public ResponseScanner.Body head(int status) {
                return ResponseScanner.Body.AS_FRAMED;
              }

              @Override
              public void end(long bytes) {
                ended += bytes;
              }
            });
    decoder = new EmbeddedChannel(new HttpResponseDecoder(16 * 1024, 64 * 1024, 64 * 1024));
  }

  @TearDown
  public void tearDown() {
    decoder.finishAndReleaseAll();
  }

  @Benchmark
  public long scanFixedLengthResponse() {
    scanner.read(fixed);
    return ended;
  }

  @Benchmark
  public long scanChunkedResponse() {
    scanner.read(chunked);
    return ended;
  }

  /** The tap before the scanner: decode a retained duplicate on the side and drop the output. */
  @Benchmark
  public int decodeFixedLengthResponseWithEmbeddedChannel() {
    decoder.writeInbound(fixed.retainedDuplicate());
    int messages = 0;
    Object msg;
    while ((msg = decoder.readInbound()) != null) {
      messages++;
      ReferenceCountUtil.release(msg);
    }
    return messages;
  }
}
