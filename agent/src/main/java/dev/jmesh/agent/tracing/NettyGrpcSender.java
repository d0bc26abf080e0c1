package dev.jmesh.agent.tracing;

import dev.jmesh.agent.runtime.AgentThreadFactory;
import dev.jmesh.bootstrap.AgentLog;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.IdentityCipherSuiteFilter;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.common.export.GrpcResponse;
import io.opentelemetry.sdk.common.export.GrpcSender;
import io.opentelemetry.sdk.common.export.GrpcSenderConfig;
import io.opentelemetry.sdk.common.export.GrpcStatusCode;
import io.opentelemetry.sdk.common.export.MessageWriter;
import io.opentelemetry.sdk.common.export.RetryPolicy;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Predicate;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;

/**
 * Unary gRPC calls over one HTTP/2 connection made with Netty: h2c with prior knowledge for {@code
 * http://} endpoints, TLS with ALPN {@code h2} for {@code https://}. Each export is one stream;
 * the call fails after the configured timeout (connecting included) without blocking the caller.
 * The connection is made on first use and again after it closes. Retries follow the exporter's
 * retry policy (OpenTelemetry's retryable gRPC codes and I/O errors, exponential backoff with
 * jitter), all within the timeout.
 */
final class NettyGrpcSender implements GrpcSender {

  /** The codes OpenTelemetry's exporters retry on. */
  private static final Set<GrpcStatusCode> RETRYABLE =
      EnumSet.of(
          GrpcStatusCode.CANCELLED,
          GrpcStatusCode.DEADLINE_EXCEEDED,
          GrpcStatusCode.RESOURCE_EXHAUSTED,
          GrpcStatusCode.ABORTED,
          GrpcStatusCode.OUT_OF_RANGE,
          GrpcStatusCode.UNAVAILABLE,
          GrpcStatusCode.DATA_LOSS);

  private final GrpcSenderConfig config;
  private final URI endpoint;
  private final String authority;
  private final boolean tls;
  private final NioEventLoopGroup group;
  private ChannelFuture connection;

  NettyGrpcSender(GrpcSenderConfig config) {
    this.config = config;
    this.endpoint = config.getEndpoint();
    this.tls = "https".equalsIgnoreCase(endpoint.getScheme());
    this.authority = endpoint.getHost() + ":" + port();
    this.group = new NioEventLoopGroup(1, new AgentThreadFactory("otlp-grpc"));
  }

  @Override
  public void send(
      MessageWriter messageWriter, Consumer<GrpcResponse> onResponse, Consumer<Throwable> onError) {
    Call call = new Call(onResponse, onError);
    ByteBuf body;
    try {
      body = frame(messageWriter);
    } catch (IOException | RuntimeException e) {
      call.fail(e);
      return;
    }
    call.onDone(body::release);
    ScheduledFuture<?> timeout =
        group.schedule(
            () -> call.fail(new TimeoutException("no answer within " + config.getTimeout())),
            config.getTimeout().toMillis(),
            TimeUnit.MILLISECONDS);
    call.onDone(() -> timeout.cancel(false));
    RetryPolicy retry = config.getRetryPolicy();
    attempt(call, body, 1, retry == null ? 0 : retry.getInitialBackoff().toNanos());
  }

  /** One try of the call; a retryable failure schedules the next (all within the timeout). */
  private void attempt(Call call, ByteBuf body, int number, long backoffNanos) {
    if (call.done.get()) {
      return;
    }
    Consumer<GrpcResponse> answered =
        response -> {
          if (RETRYABLE.contains(response.getStatusCode())) {
            retryOrEnd(call, body, number, backoffNanos, () -> call.answer(response));
          } else {
            call.answer(response);
          }
        };
    Consumer<Throwable> failed =
        error -> {
          if (retryable(error)) {
            retryOrEnd(call, body, number, backoffNanos, () -> call.fail(error));
          } else {
            call.fail(error);
          }
        };
    ChannelFuture connected;
    try {
      connected = connection();
    } catch (SSLException | RuntimeException e) {
      call.fail(e);
      return;
    }
    connected.addListener(
        f -> {
          if (!f.isSuccess()) {
            failed.accept(f.cause());
            return;
          }
          // Later on the event loop: the connect promise completes before the channel is
          // announced active, which is when the HTTP/2 preface goes out.
          connected
              .channel()
              .eventLoop()
              .execute(() -> openStream(connected, body, call, answered, failed));
        });
  }

  private boolean retryable(Throwable error) {
    RetryPolicy retry = config.getRetryPolicy();
    if (retry == null || !(error instanceof IOException io)) {
      return false;
    }
    Predicate<IOException> predicate = retry.getRetryExceptionPredicate();
    return predicate != null ? predicate.test(io) : !(io instanceof SSLException);
  }

  private void retryOrEnd(Call call, ByteBuf body, int number, long backoffNanos, Runnable end) {
    RetryPolicy retry = config.getRetryPolicy();
    if (retry == null || number >= retry.getMaxAttempts() || call.done.get()) {
      end.run();
      return;
    }
    long delay = (long) (ThreadLocalRandom.current().nextDouble(0.8, 1.2) * backoffNanos);
    long next =
        Math.min(
            (long) (backoffNanos * retry.getBackoffMultiplier()), retry.getMaxBackoff().toNanos());
    group.schedule(() -> attempt(call, body, number + 1, next), delay, TimeUnit.NANOSECONDS);
  }

  private void openStream(
      ChannelFuture connected,
      ByteBuf body,
      Call call,
      Consumer<GrpcResponse> answered,
      Consumer<Throwable> failed) {
    new Http2StreamChannelBootstrap(connected.channel())
        .handler(new ResponseReader(answered, failed))
        .open()
        .addListener(
            s -> {
              if (!s.isSuccess()) {
                failed.accept(s.cause());
                return;
              }
              Http2StreamChannel stream = (Http2StreamChannel) s.getNow();
              if (call.done.get()) {
                stream.close();
                return;
              }
              call.onDone(stream::close);
              stream.write(new DefaultHttp2HeadersFrame(requestHeaders()));
              stream.writeAndFlush(new DefaultHttp2DataFrame(body.retainedDuplicate(), true));
            });
  }

  private ByteBuf frame(MessageWriter messageWriter) throws IOException {
    ByteBuf body = Unpooled.buffer();
    body.writeByte(config.getCompressor() == null ? 0 : 1);
    body.writeInt(0);
    try (ByteBufOutputStream out = new ByteBufOutputStream(body)) {
      if (config.getCompressor() == null) {
        messageWriter.writeMessage(out);
      } else {
        try (OutputStream compressed = config.getCompressor().compress(nonClosing(out))) {
          messageWriter.writeMessage(compressed);
        }
      }
    } catch (IOException | RuntimeException e) {
      body.release();
      throw e;
    }
    body.setInt(1, body.readableBytes() - 5);
    return body;
  }

  private static OutputStream nonClosing(OutputStream out) {
    return new OutputStream() {
      @Override
      public void write(int b) throws IOException {
        out.write(b);
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
      }
    };
  }

  private Http2Headers requestHeaders() {
    Http2Headers headers =
        new DefaultHttp2Headers()
            .method("POST")
            .scheme(tls ? "https" : "http")
            .authority(authority)
            .path("/" + config.getFullMethodName());
    headers.set("content-type", "application/grpc");
    headers.set("te", "trailers");
    headers.set("grpc-timeout", Math.max(1, config.getTimeout().toMillis()) + "m");
    if (config.getCompressor() != null) {
      headers.set("grpc-encoding", config.getCompressor().getEncoding());
    }
    Map<String, List<String>> extra = config.getHeadersSupplier().get();
    if (extra != null) {
      extra.forEach(
          (name, values) -> values.forEach(v -> headers.add(name.toLowerCase(Locale.ROOT), v)));
    }
    return headers;
  }

  /** The shared HTTP/2 connection, made now if there is none or it closed. */
  private synchronized ChannelFuture connection() throws SSLException {
    if (connection != null && (!connection.isDone() || connection.channel().isActive())) {
      return connection;
    }
    SslContext ssl = tls ? sslContext() : null;
    connection =
        new Bootstrap()
            .group(group)
            .channel(NioSocketChannel.class)
            .option(
                ChannelOption.CONNECT_TIMEOUT_MILLIS,
                (int) Math.max(1, config.getConnectTimeout().toMillis()))
            .handler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    if (ssl != null) {
                      SslHandler handler =
                          ssl.newHandler(ch.alloc(), endpoint.getHost(), port());
                      // The collector's certificate must name the endpoint's host, as in HTTPS.
                      SSLParameters parameters = handler.engine().getSSLParameters();
                      parameters.setEndpointIdentificationAlgorithm("HTTPS");
                      handler.engine().setSSLParameters(parameters);
                      ch.pipeline().addLast(handler);
                    }
                    ch.pipeline()
                        .addLast(
                            Http2FrameCodecBuilder.forClient().build(),
                            new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()),
                            new ChannelInboundHandlerAdapter() {
                              @Override
                              public void exceptionCaught(ChannelHandlerContext ctx, Throwable e) {
                                // Calls on this connection fail when it closes; log nothing here.
                                AgentLog.debug("OTLP gRPC connection to " + endpoint + ": " + e);
                                ctx.close();
                              }
                            });
                  }
                })
            .connect(endpoint.getHost(), port());
    return connection;
  }

  private int port() {
    return endpoint.getPort() > 0 ? endpoint.getPort() : tls ? 443 : 80;
  }

  private SslContext sslContext() throws SSLException {
    ApplicationProtocolConfig alpn =
        new ApplicationProtocolConfig(
            ApplicationProtocolConfig.Protocol.ALPN,
            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
            ApplicationProtocolNames.HTTP_2);
    if (config.getSslContext() != null) {
      // OTEL_EXPORTER_OTLP_CLIENT_KEY/CERTIFICATE: the SDK built the context with the client key.
      return new JdkSslContext(
          config.getSslContext(),
          true,
          null,
          IdentityCipherSuiteFilter.INSTANCE,
          alpn,
          ClientAuth.NONE,
          config.getEnabledProtocols() == null
              ? null
              : config.getEnabledProtocols().toArray(new String[0]),
          false);
    }
    SslContextBuilder builder =
        SslContextBuilder.forClient()
            .sslProvider(SslProvider.JDK)
            .applicationProtocolConfig(alpn);
    if (config.getEnabledProtocols() != null) {
      builder.protocols(config.getEnabledProtocols());
    }
    return builder.build();
  }

  @Override
  public CompletableResultCode shutdown() {
    CompletableResultCode result = new CompletableResultCode();
    synchronized (this) {
      if (connection != null) {
        connection.channel().close();
      }
    }
    group
        .shutdownGracefully(0, 1, TimeUnit.SECONDS)
        .addListener(f -> result.succeed());
    return result;
  }

  /** One export: answered exactly once, by a response, an error or the timeout. */
  private static final class Call {
    private final Consumer<GrpcResponse> onResponse;
    private final Consumer<Throwable> onError;
    final AtomicBoolean done = new AtomicBoolean();
    private final List<Runnable> cleanup = new CopyOnWriteArrayList<>();

    Call(Consumer<GrpcResponse> onResponse, Consumer<Throwable> onError) {
      this.onResponse = onResponse;
      this.onError = onError;
    }

    void onDone(Runnable action) {
      cleanup.add(action);
      if (done.get()) {
        action.run();
      }
    }

    void answer(GrpcResponse response) {
      if (done.compareAndSet(false, true)) {
        cleanup.forEach(Runnable::run);
        onResponse.accept(response);
      }
    }

    void fail(Throwable cause) {
      if (done.compareAndSet(false, true)) {
        cleanup.forEach(Runnable::run);
        onError.accept(cause);
      }
    }
  }

  private record Response(GrpcStatusCode code, String description, byte[] message)
      implements GrpcResponse {
    @Override
    public GrpcStatusCode getStatusCode() {
      return code;
    }

    @Override
    public String getStatusDescription() {
      return description;
    }

    @Override
    public byte[] getResponseMessage() {
      return message;
    }
  }

  /** Reads one stream's response headers, message and trailers; reports once per attempt. */
  private final class ResponseReader extends ChannelInboundHandlerAdapter {
    private final Consumer<GrpcResponse> answered;
    private final Consumer<Throwable> failed;
    private final AtomicBoolean reported = new AtomicBoolean();
    private CompositeByteBuf body;
    private int httpStatus;

    ResponseReader(Consumer<GrpcResponse> answered, Consumer<Throwable> failed) {
      this.answered = answered;
      this.failed = failed;
    }

    private void fail(Throwable cause) {
      if (reported.compareAndSet(false, true)) {
        failed.accept(cause);
      }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      try {
        if (msg instanceof Http2HeadersFrame headersFrame) {
          Http2Headers headers = headersFrame.headers();
          if (headers.status() != null) {
            httpStatus = Integer.parseInt(headers.status().toString());
          }
          CharSequence status = headers.get("grpc-status");
          if (status != null) {
            finish(ctx, GrpcStatusCode.fromValue(Integer.parseInt(status.toString())), headers);
          } else if (headersFrame.isEndStream()) {
            finish(ctx, fromHttpStatus(httpStatus), headers);
          }
        } else if (msg instanceof Http2DataFrame data) {
          if (body == null) {
            body = ctx.alloc().compositeBuffer();
          }
          if (body.readableBytes() + data.content().readableBytes()
              > config.getMaxResponseBodySize() + 5) {
            fail(new IOException("the collector's response is too large"));
            ctx.close();
            return;
          }
          body.addComponent(true, data.content().retain());
          if (data.isEndStream()) {
            finish(ctx, fromHttpStatus(httpStatus), null);
          }
        }
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    private void finish(ChannelHandlerContext ctx, GrpcStatusCode code, Http2Headers trailers) {
      if (!reported.compareAndSet(false, true)) {
        return;
      }
      CharSequence description = trailers == null ? null : trailers.get("grpc-message");
      byte[] message = new byte[0];
      if (body != null && body.readableBytes() >= 5) {
        int length = body.getInt(body.readerIndex() + 1);
        message = new byte[Math.min(length, body.readableBytes() - 5)];
        body.getBytes(body.readerIndex() + 5, message);
      }
      ctx.close();
      answered.accept(
          new Response(
              code,
              description == null
                  ? (httpStatus == 200 ? null : "HTTP status " + httpStatus)
                  : URLDecoder.decode(description.toString(), StandardCharsets.UTF_8),
              message));
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (body != null) {
        body.release();
        body = null;
      }
      fail(new IOException("the collector closed the stream without an answer"));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      fail(cause);
      ctx.close();
    }
  }

  /** gRPC's mapping of HTTP status codes without a grpc-status. */
  static GrpcStatusCode fromHttpStatus(int status) {
    return switch (status) {
      case 200 -> GrpcStatusCode.UNKNOWN;
      case 400 -> GrpcStatusCode.INTERNAL;
      case 401 -> GrpcStatusCode.UNAUTHENTICATED;
      case 403 -> GrpcStatusCode.PERMISSION_DENIED;
      case 404 -> GrpcStatusCode.UNIMPLEMENTED;
      case 429, 502, 503, 504 -> GrpcStatusCode.UNAVAILABLE;
      default -> GrpcStatusCode.UNKNOWN;
    };
  }

  @Override
  public String toString() {
    return "NettyGrpcSender{" + endpoint + "}";
  }
}
