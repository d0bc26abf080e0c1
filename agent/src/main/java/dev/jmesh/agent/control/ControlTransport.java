package dev.jmesh.agent.control;

import dev.jmesh.agent.identity.IdentityStore;
import dev.jmesh.agent.identity.WorkloadCertificate;
import dev.jmesh.agent.identity.WorkloadKeyManager;
import dev.jmesh.agent.runtime.AgentThreadFactory;
import dev.jmesh.agent.tls.TlsEngine;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.util.KeyManagerFactoryWrapper;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.Future;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import javax.net.ssl.SSLException;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * HTTP/1.1 over TLS to the control servers, on the agent's own Netty and TLS engine (BoringSSL
 * where it loads): the mesh's data plane already carries both, and talking through the JDK's
 * {@code HttpsURLConnection} instead made a meshed JVM load, and warm up in the interpreter, the
 * JDK's TLS handshake as well (~300 classes, X25519 and ECDSA in Java) on its start-up path.
 *
 * <p>A call blocks its agent thread until the whole answer is in. Connections are kept alive and
 * reused one call at a time, per server and per workload certificate, so none outlives the
 * certificate it presented. A reused connection that the server had already closed is retried once
 * on a fresh one, as {@code HttpURLConnection} did.
 */
final class ControlTransport {

  /** An answer: status, the header that says how the body is encoded, and the body as sent. */
  record Answer(int status, String contentEncoding, byte[] body) {}

  private static final int MAX_ANSWER_BYTES = 64 * 1024 * 1024;
  private static final int MAX_IDLE_PER_SERVER = 4;
  private static final AttributeKey<CompletableFuture<Answer>> CALL =
      AttributeKey.valueOf("jmesh.control.call");
  private static final AttributeKey<Boolean> KEEP_ALIVE =
      AttributeKey.valueOf("jmesh.control.keepAlive");
  private static final AttributeKey<Tls> TLS = AttributeKey.valueOf("jmesh.control.tls");
  private static final AttributeKey<Future<Channel>> HANDSHAKE =
      AttributeKey.valueOf("jmesh.control.handshake");

  private final NioEventLoopGroup loop =
      new NioEventLoopGroup(1, new AgentThreadFactory("control-io"));
  private final IdentityStore identity;
  private final X509ExtendedTrustManager trust;
  private final Supplier<TlsEngine> engine;
  private final AtomicReference<Tls> tls = new AtomicReference<>();
  private final Map<String, Queue<Channel>> idle = new ConcurrentHashMap<>();
  private final AtomicInteger connectionsOpened = new AtomicInteger();

  /** The TLS context for one workload certificate (none before the first). */
  private record Tls(WorkloadCertificate certificate, SslContext context) {}

  /**
   * @param engine the mesh's TLS engine; asked once per workload certificate, and the first call
   *     may wait for it
   */
  ControlTransport(
      IdentityStore identity, X509ExtendedTrustManager trust, Supplier<TlsEngine> engine) {
    this.identity = identity;
    this.trust = trust;
    this.engine = engine;
  }

  /**
   * One call to {@code server}; the connect (and TLS handshake) is bounded by {@code
   * connectTimeout}, the answer by {@code readTimeout}.
   */
  Answer call(
      URI server,
      String method,
      String pathAndQuery,
      Map<String, String> headers,
      byte[] body,
      Duration connectTimeout,
      Duration readTimeout)
      throws IOException {
    Tls current = tls();
    String key = server.getHost() + ":" + port(server);
    Channel reused = pollIdle(key, current);
    if (reused != null) {
      try {
        return exchange(key, reused, method, pathAndQuery, headers, body, readTimeout);
      } catch (ClosedBeforeAnswer e) {
        // The server closed the idle connection as we sent: go on with a fresh one.
      }
    }
    Channel fresh = connect(server, current, connectTimeout);
    return exchange(key, fresh, method, pathAndQuery, headers, body, readTimeout);
  }

  /** How many connections this transport has opened so far (for tests). */
  int connectionsOpened() {
    return connectionsOpened.get();
  }

  /** Closes every connection and stops the I/O thread. */
  void close() {
    idle.values().forEach(q -> q.forEach(Channel::close));
    loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
  }

  /** One call on {@code channel}, a connection to {@code key} (host:port, the Host header). */
  private Answer exchange(
      String key,
      Channel channel,
      String method,
      String pathAndQuery,
      Map<String, String> headers,
      byte[] body,
      Duration readTimeout)
      throws IOException {
    CompletableFuture<Answer> answer = new CompletableFuture<>();
    channel.attr(CALL).set(answer);
    FullHttpRequest request =
        new DefaultFullHttpRequest(
            HttpVersion.HTTP_1_1,
            HttpMethod.valueOf(method),
            pathAndQuery,
            body == null ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body));
    request.headers().set(HttpHeaderNames.HOST, key);
    headers.forEach((name, value) -> request.headers().set(name, value));
    if (body != null || !method.equals("GET")) {
      HttpUtil.setContentLength(request, body == null ? 0 : body.length);
    }
    channel
        .writeAndFlush(request)
        .addListener(
            written -> {
              if (!written.isSuccess()) {
                answer.completeExceptionally(new ClosedBeforeAnswer(written.cause()));
              }
            });
    try {
      Answer result = answer.get(readTimeout.toMillis(), TimeUnit.MILLISECONDS);
      channel.attr(CALL).set(null);
      if (channel.isActive() && Boolean.TRUE.equals(channel.attr(KEEP_ALIVE).get())) {
        offerIdle(key, channel);
      } else {
        channel.close();
      }
      return result;
    } catch (TimeoutException e) {
      channel.close();
      throw new SocketTimeoutException("no answer within " + readTimeout.toMillis() + " ms");
    } catch (InterruptedException e) {
      channel.close();
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting for the control server");
    } catch (ExecutionException e) {
      channel.close();
      Throwable cause = e.getCause();
      if (cause instanceof IOException io) {
        throw io;
      }
      throw new IOException(cause.getMessage(), cause);
    }
  }

  private Channel connect(URI server, Tls tls, Duration timeout) throws IOException {
    String host = server.getHost();
    int port = port(server);
    Bootstrap bootstrap =
        new Bootstrap()
            .group(loop)
            .channel(NioSocketChannel.class)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) timeout.toMillis())
            // A few small calls a minute: not worth a pooled arena (and its chunk) of their own.
            .option(ChannelOption.ALLOCATOR, UnpooledByteBufAllocator.DEFAULT)
            .handler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ch.attr(TLS).set(tls);
                    SslHandler tlsHandler =
                        tls.context().newHandler(ch.alloc(), unbracketed(host), port);
                    tlsHandler.setHandshakeTimeoutMillis(timeout.toMillis());
                    // Kept on the channel: a failed handshake closes it, which empties the pipeline.
                    ch.attr(HANDSHAKE).set(tlsHandler.handshakeFuture());
                    ch.pipeline()
                        .addLast(tlsHandler)
                        .addLast(new HttpClientCodec())
                        .addLast(new HttpObjectAggregator(MAX_ANSWER_BYTES))
                        .addLast(new AnswerHandler());
                  }
                });
    connectionsOpened.incrementAndGet();
    ChannelFuture connected = bootstrap.connect(unbracketed(host), port);
    Channel channel = connected.channel();
    try {
      // Both end on their own: the connect timeout above, and the TLS handler's handshake timeout.
      connected.await();
      Future<Channel> handshake = connected.isSuccess() ? channel.attr(HANDSHAKE).get() : null;
      if (handshake != null) {
        handshake.await();
      }
      Throwable failure = handshake == null ? connected.cause() : handshake.cause();
      if (failure != null) {
        channel.close();
        throw failure instanceof IOException io
            ? io
            : new IOException(failure.getMessage(), failure);
      }
      return channel;
    } catch (InterruptedException e) {
      channel.close();
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while connecting to the control server");
    }
  }

  private Tls tls() throws IOException {
    WorkloadCertificate certificate = identity.certificate();
    Tls current = tls.get();
    if (current != null && current.certificate() == certificate) {
      return current;
    }
    try {
      SslContext context =
          SslContextBuilder.forClient()
              .sslProvider(engine.get().provider())
              .protocols("TLSv1.3", "TLSv1.2")
              .trustManager(trust)
              .keyManager(new KeyManagerFactoryWrapper(new WorkloadKeyManager(identity)))
              .build();
      tls.compareAndSet(current, new Tls(certificate, context));
      return tls.get();
    } catch (SSLException e) {
      throw new IOException("cannot set up TLS to the control server: " + e.getMessage(), e);
    }
  }

  /** An open idle connection to {@code key} made with {@code current}; older ones are closed. */
  private Channel pollIdle(String key, Tls current) {
    Queue<Channel> queue = idle.get(key);
    if (queue == null) {
      return null;
    }
    for (Channel c = queue.poll(); c != null; c = queue.poll()) {
      if (c.attr(TLS).get() != current) {
        c.close(); // it presented a certificate the workload no longer has
      } else if (c.isActive()) {
        return c;
      }
    }
    return null;
  }

  private void offerIdle(String key, Channel channel) {
    Queue<Channel> queue = idle.computeIfAbsent(key, k -> new ConcurrentLinkedQueue<>());
    queue.removeIf(c -> !c.isActive()); // closed by the server while idle
    if (queue.size() >= MAX_IDLE_PER_SERVER) {
      channel.close();
    } else {
      queue.add(channel);
    }
  }

  private static int port(URI server) {
    return server.getPort() > 0 ? server.getPort() : 443;
  }

  private static String unbracketed(String host) {
    return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
  }

  /** The connection closed, or could not be written, before any answer: safe to send again. */
  private static final class ClosedBeforeAnswer extends IOException {
    ClosedBeforeAnswer(Throwable cause) {
      super("the control server closed the connection before answering", cause);
    }
  }

  /** Completes the connection's current call with the aggregated answer, or with the failure. */
  private static final class AnswerHandler extends SimpleChannelInboundHandler<FullHttpResponse> {

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
      ctx.channel().attr(KEEP_ALIVE).set(HttpUtil.isKeepAlive(response));
      CompletableFuture<Answer> call = ctx.channel().attr(CALL).get();
      if (call != null) {
        call.complete(
            new Answer(
                response.status().code(),
                response.headers().get(HttpHeaderNames.CONTENT_ENCODING),
                ByteBufUtil.getBytes(response.content())));
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      CompletableFuture<Answer> call = ctx.channel().attr(CALL).get();
      if (call != null) {
        call.completeExceptionally(new ClosedBeforeAnswer(null));
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      CompletableFuture<Answer> call = ctx.channel().attr(CALL).get();
      if (call != null) {
        call.completeExceptionally(
            cause instanceof IOException ? cause : new IOException(cause.getMessage(), cause));
      }
      ctx.close();
    }
  }
}
