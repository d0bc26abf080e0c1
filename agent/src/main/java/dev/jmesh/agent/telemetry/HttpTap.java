package dev.jmesh.agent.telemetry;

import dev.jmesh.agent.http.ResponseScanner;
import dev.jmesh.agent.tracing.RequestSpan;
import dev.jmesh.agent.tracing.RequestSpans;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Watches the bytes of one connection on the application's side of the agent, without changing
 * them: the relay hands it the requests it decoded (see {@link #forwarded}), a {@link
 * ResponseScanner} reads the response heads and framing in the relayed bytes (no copy, no body
 * decoding), and every request with its response becomes one {@code istio_requests_total} sample
 * (and an access-log line, and the end of the request's span). Bytes that do not decode as
 * HTTP/1, and everything after a protocol switch (101, CONNECT), count as TCP only. TCP metrics (bytes each way, opened,
 * closed) are kept for every connection.
 *
 * <p>Goes first in the pipeline of the application-side channel: for egress the application's
 * channel (requests are reads), for inbound the channel to the application (requests are writes).
 */
public final class HttpTap extends ChannelDuplexHandler {

  private final Telemetry telemetry;
  private final boolean requestsAreReads;
  private final String downstreamRemote;
  private volatile MetricLabels labels;
  private InetSocketAddress upstream;
  private IstioMetrics.TcpMeters tcp;
  private boolean closed;
  private boolean weClosed;
  private boolean inputShutdown;

  private boolean http = true;
  private final ResponseScanner responses = new ResponseScanner(new Responses());
  private final ArrayDeque<Exchange> awaitingResponse = new ArrayDeque<>();
  private Exchange receiving;
  private Exchange responding;
  private long requestBytes;
  private long responseBytes;
  private RequestSpans spans;
  private boolean forwardedAny;

  /** One request and its response as seen so far. */
  private static final class Exchange {
    final long startNanos = System.nanoTime();
    String method;
    String path;
    String protocol;
    String authority;
    String requestId;
    String traceId;
    String userAgent;
    long requestBytes;
    int code;
  }

  /**
   * @param requestsAreReads true on egress (the app writes requests to us), false on inbound
   * @param downstreamRemote the client's address as the access log shows it
   */
  public HttpTap(Telemetry telemetry, boolean requestsAreReads, String downstreamRemote) {
    this.telemetry = telemetry;
    this.requestsAreReads = requestsAreReads;
    this.downstreamRemote = downstreamRemote;
  }

  /**
   * Ends the spans of this connection's requests as their responses complete: the n-th exchange
   * this tap completes is the n-th request the decoding side started a span for.
   *
   * @param spans null without tracing
   */
  public void endSpans(RequestSpans spans) {
    this.spans = spans;
  }

  /**
   * What the relay forwarded, after its bytes went through this tap: decoded request messages, or
   * raw bytes (a first message of raw bytes means the stream is not HTTP/1: TCP metrics only).
   * The message may have been released; only its type and headers are read.
   */
  public void forwarded(Object msg) {
    boolean first = !forwardedAny;
    forwardedAny = true;
    if (msg instanceof HttpObject request) {
      if (http && labels != null) {
        onRequest(request);
      }
    } else if (first && msg instanceof ByteBuf) {
      stopDecoding();
    }
  }

  /**
   * The connection is established: from now on its traffic is counted with these labels.
   *
   * @param upstream where requests go (the application inbound, the instance on egress)
   */
  public void opened(MetricLabels labels, InetSocketAddress upstream) {
    this.labels = labels;
    this.upstream = upstream;
    this.tcp = telemetry.metrics().tcp(labels, "-");
    tcp.opened().increment();
  }

  /** A connection that never got through: counted as opened and closed with these flags. */
  public void failed(MetricLabels labels, String responseFlags) {
    if (this.tcp != null || closed) {
      return;
    }
    closed = true;
    IstioMetrics.TcpMeters meters = telemetry.metrics().tcp(labels, responseFlags);
    meters.opened().increment();
    meters.closed().increment();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    if (msg instanceof ByteBuf buf) {
      saw(buf, requestsAreReads);
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise)
      throws Exception {
    if (msg instanceof ByteBuf buf) {
      saw(buf, !requestsAreReads);
    }
    ctx.write(msg, promise);
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt instanceof ChannelInputShutdownEvent) {
      inputShutdown = true;
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void close(ChannelHandlerContext ctx, ChannelPromise promise) throws Exception {
    weClosed = true;
    ctx.close(promise);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    if (tcp != null && !closed) {
      closed = true;
      tcp.closed().increment();
    }
    if (http && labels != null) {
      responses.closed(); // ends a response whose body ran until the close
    }
    unanswered();
    stopDecoding();
    if (spans != null) {
      spans.abandonAll(upstreamWentAway() ? "UC" : "DC");
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    stopDecoding();
  }

  private void saw(ByteBuf buf, boolean request) {
    int n = buf.readableBytes();
    if (n == 0 || labels == null) {
      return;
    }
    if (request) {
      tcp.received().increment(n);
    } else {
      tcp.sent().increment(n);
    }
    if (!http) {
      return;
    }
    try {
      if (request) {
        requestBytes += n;
      } else {
        responseBytes += n;
        responses.read(buf);
        if (responses.stopped()) {
          stopDecoding();
        }
      }
    } catch (RuntimeException e) {
      stopDecoding();
    }
  }

  private void onRequest(HttpObject msg) {
    if (msg.decoderResult().isFailure()) {
      stopDecoding();
      return;
    }
    if (msg instanceof HttpRequest request) {
      Exchange e = new Exchange();
      e.method = request.method().name();
      if (telemetry.accessLog().enabled()) {
        // only the access log reads these (it is off by default)
        e.path = request.uri();
        e.protocol = request.protocolVersion().text();
        e.authority = request.headers().get(HttpHeaderNames.HOST);
        e.requestId = request.headers().get("x-request-id");
        e.traceId = traceIdOf(request.headers());
        e.userAgent = request.headers().get(HttpHeaderNames.USER_AGENT);
      }
      receiving = e;
    }
    if (msg instanceof LastHttpContent && receiving != null) {
      receiving.requestBytes = requestBytes;
      requestBytes = 0;
      awaitingResponse.add(receiving);
      receiving = null;
    }
  }

  /** Matches the responses the scanner reads with the requests waiting for them. */
  private final class Responses implements ResponseScanner.Listener {
    /** A response head: matched with the oldest request waiting for one. */
    @Override
    public ResponseScanner.Body head(int status) {
      responding = awaitingResponse.poll();
      if (responding == null) {
        // A response to a request we did not see whole (e.g. sent before a failed decode).
        return ResponseScanner.Body.STOP;
      }
      responding.code = status;
      if (status == 101 || ("CONNECT".equals(responding.method) && status / 100 == 2)) {
        // The stream turns raw: the exchange ends here, the rest counts as TCP.
        finish(responding, responseBytes);
        responding = null;
        return ResponseScanner.Body.STOP;
      }
      return "HEAD".equals(responding.method)
          ? ResponseScanner.Body.NONE
          : ResponseScanner.Body.AS_FRAMED;
    }

    /** A response ended: its exchange is complete (bytes counted exactly, head to last byte). */
    @Override
    public void end(long bytes) {
      if (responding != null) {
        responseBytes = Math.max(0, responseBytes - bytes);
        finish(responding, bytes);
        responding = null;
      }
    }
  }

  /**
   * Requests the connection closed under: response code 0, with Envoy's flag for who went away —
   * UC when the upstream side (the application on inbound, the agent's mTLS connection on egress)
   * closed, DC when the downstream side did.
   */
  private void unanswered() {
    if (!http || labels == null) {
      return;
    }
    // On egress this channel is the downstream (the app): the agent closing it means the upstream
    // went away. On inbound it is the upstream (the app): the app ending its output (half-close)
    // or closing by itself means it went away; the agent closing it means the client did.
    String flags = upstreamWentAway() ? "UC" : "DC";
    if (responding != null) {
      responding.code = 0;
      finish(responding, responseBytes, flags);
      responding = null;
    }
    for (Exchange e : awaitingResponse) {
      finish(e, 0, flags);
    }
    awaitingResponse.clear();
    if (receiving != null) {
      receiving.requestBytes = requestBytes;
      finish(receiving, 0, flags);
      receiving = null;
    }
  }

  private boolean upstreamWentAway() {
    return requestsAreReads ? weClosed : inputShutdown || !weClosed;
  }

  private void finish(Exchange e, long bytesOut) {
    finish(e, bytesOut, "-");
  }

  private void finish(Exchange e, long bytesOut, String flags) {
    double millis = (System.nanoTime() - e.startNanos) / 1_000_000.0;
    MetricLabels l = labels;
    if (spans != null) {
      RequestSpan span = spans.poll();
      if (span != null) {
        span.end(l, upstream, e.code, flags);
      }
    }
    telemetry.metrics().request(l, e.code, flags, millis, e.requestBytes, bytesOut);
    AccessLog log = telemetry.accessLog();
    if (log.enabled()) {
      Map<String, Object> line = new LinkedHashMap<>();
      // Wall-clock start, worked out only for a line that is written.
      line.put("start_time", Instant.now().minusNanos(System.nanoTime() - e.startNanos).toString());
      line.put("method", e.method);
      line.put("path", e.path);
      line.put("protocol", e.protocol);
      line.put("response_code", e.code);
      line.put("response_flags", flags);
      line.put("bytes_received", e.requestBytes);
      line.put("bytes_sent", bytesOut);
      line.put("duration", Math.round(millis));
      line.put("upstream_host", upstream == null ? "-" : hostPort(upstream));
      line.put("x_request_id", e.requestId);
      line.put("trace_id", e.traceId);
      line.put("authority", e.authority);
      line.put("user_agent", e.userAgent);
      line.put("downstream_remote_address", downstreamRemote);
      line.put("reporter", l.reporter());
      line.put("upstream_cluster", l.destinationService());
      line.put("source_principal", l.sourcePrincipal());
      line.put("destination_principal", l.destinationPrincipal());
      log.log(line);
    }
  }

  private void stopDecoding() {
    http = false;
    awaitingResponse.clear();
  }

  /**
   * The trace a request belongs to, from its W3C or B3 headers (as the agents rewrote them), for
   * the access log; null when it carries none.
   */
  static String traceIdOf(HttpHeaders headers) {
    String traceparent = headers.get("traceparent");
    if (traceparent != null && traceparent.length() >= 35 && traceparent.charAt(2) == '-') {
      return traceparent.substring(3, 35);
    }
    String b3Multi = headers.get("x-b3-traceid");
    if (b3Multi != null) {
      return b3Multi;
    }
    String b3 = headers.get("b3");
    int dash = b3 == null ? -1 : b3.indexOf('-');
    return dash > 0 ? b3.substring(0, dash) : null;
  }

  /** Formats an address as host:port for logs. */
  public static String hostPort(SocketAddress address) {
    if (address instanceof InetSocketAddress inet) {
      return inet.getHostString() + ":" + inet.getPort();
    }
    return String.valueOf(address);
  }
}
