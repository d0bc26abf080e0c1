package dev.jmesh.agent.admin;

import dev.jmesh.agent.json.Json;
import dev.jmesh.agent.runtime.IoTransport;
import dev.jmesh.bootstrap.AgentLog;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The agent's admin endpoint on loopback: {@code /healthz}, {@code /ready} (200 once the workload
 * has a certificate and a snapshot) and {@code /config_dump} (JSON).
 */
public final class AdminServer {

  private final BooleanSupplier ready;
  private final Supplier<Object> configDump;
  private final Supplier<String> metrics;
  private volatile Channel channel;

  /** The Prometheus text exposition format's content type. */
  static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

  public AdminServer(BooleanSupplier ready, Supplier<Object> configDump) {
    this(ready, configDump, null);
  }

  /** @param metrics Prometheus text for /metrics and /stats/prometheus; null for none */
  public AdminServer(
      BooleanSupplier ready, Supplier<Object> configDump, Supplier<String> metrics) {
    this.ready = ready;
    this.configDump = configDump;
    this.metrics = metrics;
  }

  /** Binds 127.0.0.1:{@code port} (0 = ephemeral); logs one error and returns false on failure. */
  public boolean start(int port, EventLoopGroup group) {
    try {
      channel =
          new ServerBootstrap()
              .group(group)
              .channel(IoTransport.serverChannel(group))
              .childHandler(
                  new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                      ch.pipeline()
                          .addLast(
                              new HttpServerCodec(),
                              new HttpObjectAggregator(64 * 1024),
                              new Handler());
                    }
                  })
              .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))
              .sync()
              .channel();
      return true;
    } catch (Exception e) {
      AgentLog.error(
          "cannot start the admin endpoint on 127.0.0.1:"
              + port
              + " (set jmesh.admin.port/JMESH_ADMIN_PORT to another port, 0 for any, -1 for none)",
          e);
      return false;
    }
  }

  /** The bound port, or -1 when not running. */
  public int port() {
    Channel c = channel;
    return c == null ? -1 : ((InetSocketAddress) c.localAddress()).getPort();
  }

  public void stop() {
    Channel c = channel;
    if (c != null) {
      c.close().syncUninterruptibly();
    }
  }

  private final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
      String path = new QueryStringDecoder(request.uri()).path();
      FullHttpResponse response;
      switch (path) {
        case "/healthz":
          response = text(HttpResponseStatus.OK, "ok\n");
          break;
        case "/ready":
          response =
              ready.getAsBoolean()
                  ? text(HttpResponseStatus.OK, "ready\n")
                  : text(
                      HttpResponseStatus.SERVICE_UNAVAILABLE,
                      "not ready: waiting for the workload certificate and the first snapshot\n");
          break;
        case "/config_dump":
          response = configDump();
          break;
        case "/metrics", "/stats/prometheus":
          if (metrics != null) {
            response = text(HttpResponseStatus.OK, metrics.get());
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, PROMETHEUS_TEXT);
            break;
          }
          // fall through
        default:
          response =
              text(
                  HttpResponseStatus.NOT_FOUND,
                  "not found; try /healthz, /ready, /config_dump, /metrics\n");
      }
      boolean keepAlive = HttpUtil.isKeepAlive(request);
      HttpUtil.setContentLength(response, response.content().readableBytes());
      if (keepAlive) {
        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        ctx.writeAndFlush(response);
      } else {
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
      }
    }

    private FullHttpResponse configDump() {
      try {
        byte[] body = Json.writeIndented(configDump.get());
        FullHttpResponse response =
            new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.wrappedBuffer(body));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
        return response;
      } catch (Exception e) {
        return text(HttpResponseStatus.INTERNAL_SERVER_ERROR, "config_dump failed: " + e + "\n");
      }
    }

    private FullHttpResponse text(HttpResponseStatus status, String body) {
      FullHttpResponse response =
          new DefaultFullHttpResponse(
              HttpVersion.HTTP_1_1, status, Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
      response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
      return response;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
