package dev.jmesh.samples;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
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
import io.netty.util.Version;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.Security;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.crypto.digests.Blake2bDigest;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/**
 * A sample service that ships its OWN Netty, Jackson and Bouncy Castle, in versions other than the
 * agent's, and uses all three on every request, so that a clash with the agent's copies would show:
 * a Netty HTTP server answers {@code GET /hello} with JSON written by Jackson, holding the library
 * versions it actually ran with and digests computed with Bouncy Castle (the light-weight API and
 * the JCA provider registered under the name "BC"). With {@code APP_TRANSPORT=epoll} it listens on
 * Netty's native epoll transport instead of NIO, and says which one it used.
 */
public final class IsolationApp {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final AtomicLong SERVED = new AtomicLong();
  private static String transport;

  public static void main(String[] args) throws Exception {
    String name = SampleSupport.setting("app.name", "APP_NAME", "isolation-app");
    int port = Integer.parseInt(SampleSupport.setting("app.port", "PORT", "8080"));
    Security.addProvider(new BouncyCastleProvider());

    // APP_TRANSPORT=epoll: Netty's native transport, whose listener binds without the JDK's sockets.
    boolean epoll = "epoll".equals(SampleSupport.setting("app.transport", "APP_TRANSPORT", "nio"));
    transport = epoll ? "epoll" : "nio";
    EventLoopGroup boss = epoll ? new EpollEventLoopGroup(1) : new NioEventLoopGroup(1);
    EventLoopGroup workers = epoll ? new EpollEventLoopGroup(2) : new NioEventLoopGroup(2);
    Class<? extends ServerChannel> listener =
        epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
    new ServerBootstrap()
        .group(boss, workers)
        .channel(listener)
        .childHandler(
            new ChannelInitializer<SocketChannel>() {
              @Override
              protected void initChannel(SocketChannel channel) {
                channel
                    .pipeline()
                    .addLast(new HttpServerCodec())
                    .addLast(new HttpObjectAggregator(64 * 1024))
                    .addLast(new Handler(name));
              }
            })
        .bind("127.0.0.1", port)
        .sync();
    System.out.println(
        "IsolationApp " + name + " listening on 127.0.0.1:" + port + " (" + transport + ")");
  }

  private static final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private final String name;

    Handler(String name) {
      this.name = name;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request)
        throws Exception {
      String path = new QueryStringDecoder(request.uri()).path();
      HttpResponseStatus status = HttpResponseStatus.OK;
      String body;
      if ("/hello".equals(path)) {
        SERVED.incrementAndGet();
        body = MAPPER.writeValueAsString(hello());
      } else if ("/count".equals(path)) {
        body = MAPPER.writeValueAsString(Map.of("count", SERVED.get()));
      } else {
        status = HttpResponseStatus.NOT_FOUND;
        body = "{\"error\":\"not found\"}";
      }
      FullHttpResponse response =
          new DefaultFullHttpResponse(
              HttpVersion.HTTP_1_1,
              status,
              Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
      response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
      HttpUtil.setContentLength(response, response.content().readableBytes());
      boolean keepAlive = HttpUtil.isKeepAlive(request);
      if (keepAlive) {
        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        ctx.writeAndFlush(response);
      } else {
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
      }
    }

    private ObjectNode hello() throws Exception {
      byte[] input = ("hello from " + name).getBytes(StandardCharsets.UTF_8);

      Blake2bDigest blake = new Blake2bDigest(256);
      blake.update(input, 0, input.length);
      byte[] lightweight = new byte[blake.getDigestSize()];
      blake.doFinal(lightweight, 0);

      MessageDigest viaProvider = MessageDigest.getInstance("BLAKE2B-256", "BC");
      byte[] jca = viaProvider.digest(input);

      ObjectNode node = MAPPER.createObjectNode();
      node.put("message", "hello from " + name);
      node.put("netty", Version.identify().get("netty-common").artifactVersion());
      node.put("transport", transport);
      node.put("jackson", com.fasterxml.jackson.databind.cfg.PackageVersion.VERSION.toString());
      node.put("bouncycastle", viaProvider.getProvider().getVersionStr());
      node.put("bouncycastleProviderClass", viaProvider.getProvider().getClass().getName());
      node.put("blake2b", HexFormat.of().formatHex(lightweight));
      node.put("blake2bMatches", MessageDigest.isEqual(lightweight, jca));
      return node;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      cause.printStackTrace();
      ctx.close();
    }
  }
}
