package dev.jmesh.control.http;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.TooLongHttpContentException;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

/**
 * The HTTPS listener (Netty): TLS 1.2/1.3 that asks for, but does not require, a client
 * certificate, so join-token calls and workload-certificate calls share one port.
 *
 * <p>Every agent keeps one connection open for its long poll and reuses it for its ACK and its next
 * poll, so the listener holds thousands of mostly silent connections. Netty borrows buffers only
 * while it reads or writes (the JDK's {@code HttpsServer} kept ~75 KB per TLS connection), keeps
 * every connection until it has been idle for {@link #IDLE_SECONDS} with no call open (a parked
 * long poll is not idle), and writes with {@code TCP_NODELAY}. Event-loop threads only read, parse
 * and write; handlers run on the given executor, one call per connection at a time ({@link
 * CallSequence}).
 */
public final class ControlHttpServer {

  private static final int BACKLOG = 4096;

  /** Connections with no call open are closed after this long (the JDK server's default too). */
  static final int IDLE_SECONDS = 30;

  /** The longest {@link #stop} waits for connections to close and I/O threads to end. */
  private static final int STOP_SECONDS = 2;

  private final Channel listener;
  private final ChannelGroup connections;
  private final EventLoopGroup acceptor;
  private final EventLoopGroup io;

  private ControlHttpServer(
      Channel listener, ChannelGroup connections, EventLoopGroup acceptor, EventLoopGroup io) {
    this.listener = listener;
    this.connections = connections;
    this.acceptor = acceptor;
    this.io = io;
  }

  /** Binds {@code address} and starts serving {@code dispatcher} on {@code handlers}. */
  public static ControlHttpServer start(
      InetSocketAddress address, SSLContext tls, ApiDispatcher dispatcher, Executor handlers)
      throws IOException {
    EventLoopGroup acceptor =
        new NioEventLoopGroup(1, new DefaultThreadFactory("jmesh-control-accept", true));
    EventLoopGroup io =
        new NioEventLoopGroup(
            Runtime.getRuntime().availableProcessors(),
            new DefaultThreadFactory("jmesh-control-io", true));
    ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    ServerBootstrap bootstrap =
        new ServerBootstrap()
            .group(acceptor, io)
            .channel(NioServerSocketChannel.class)
            .option(ChannelOption.SO_BACKLOG, BACKLOG)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel channel) {
                    connections.add(channel);
                    channel
                        .pipeline()
                        .addLast("tls", new SslHandler(serverEngine(tls)))
                        .addLast("idle", new IdleStateHandler(0, 0, IDLE_SECONDS))
                        .addLast("http", new HttpServerCodec())
                        .addLast("body", new BodyLimit(ApiRequest.MAX_BODY_BYTES))
                        .addLast("calls", new CallSequence(dispatcher, handlers));
                  }
                });
    try {
      Channel listener = bootstrap.bind(address).syncUninterruptibly().channel();
      return new ControlHttpServer(listener, connections, acceptor, io);
    } catch (Exception e) {
      acceptor.shutdownGracefully(0, 0, TimeUnit.SECONDS);
      io.shutdownGracefully(0, 0, TimeUnit.SECONDS);
      // bind() rethrows the socket's checked BindException unchecked.
      if (e instanceof IOException bindFailure) {
        throw bindFailure;
      }
      throw new IOException(e.getMessage(), e);
    }
  }

  private static SSLEngine serverEngine(SSLContext tls) {
    SSLEngine engine = tls.createSSLEngine();
    engine.setUseClientMode(false);
    SSLParameters parameters = tls.getDefaultSSLParameters();
    parameters.setProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
    parameters.setWantClientAuth(true);
    engine.setSSLParameters(parameters);
    return engine;
  }

  public InetSocketAddress address() {
    return (InetSocketAddress) listener.localAddress();
  }

  /**
   * Stops accepting, closes every connection and stops the I/O threads. Answers already handed to
   * the I/O threads are written first; calls still open are cut off, so answer them before (the
   * control server answers parked watchers first).
   */
  public void stop() {
    listener.close().syncUninterruptibly();
    connections.close().awaitUninterruptibly(STOP_SECONDS, TimeUnit.SECONDS);
    acceptor.shutdownGracefully(0, STOP_SECONDS, TimeUnit.SECONDS);
    io.shutdownGracefully(0, STOP_SECONDS, TimeUnit.SECONDS).awaitUninterruptibly();
  }

  /**
   * Collects a request's body up to a limit. A larger one is passed on as a request that failed to
   * decode ({@link TooLongHttpContentException} naming the call and the limit), so that {@link
   * CallSequence} answers it with a 413 in its turn; Netty's own 413 has no body, and with {@code
   * Expect: 100-continue} would be sent ahead of earlier answers.
   */
  private static final class BodyLimit extends HttpObjectAggregator {

    BodyLimit(int limit) {
      super(limit);
    }

    @Override
    protected Object newContinueResponse(
        HttpMessage start, int maxContentLength, ChannelPipeline pipeline) {
      // Oversized: no bare 413 here, handleOversizedMessage refuses it.
      if (HttpUtil.is100ContinueExpected(start)
          && HttpUtil.getContentLength(start, -1L) > maxContentLength) {
        return null;
      }
      return super.newContinueResponse(start, maxContentLength, pipeline);
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext context, HttpMessage oversized) {
      HttpRequest request = (HttpRequest) oversized;
      FullHttpRequest refused =
          new DefaultFullHttpRequest(request.protocolVersion(), request.method(), request.uri());
      refused.setDecoderResult(
          DecoderResult.failure(
              new TooLongHttpContentException(
                  "request body of "
                      + request.method()
                      + " "
                      + new QueryStringDecoder(request.uri()).rawPath()
                      + " is larger than "
                      + maxContentLength()
                      + " bytes")));
      context.fireChannelRead(refused);
    }
  }
}
