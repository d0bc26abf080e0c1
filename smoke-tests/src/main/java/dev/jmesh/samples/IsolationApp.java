package dev.jmesh.samples;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.resolver.AddressResolverGroup;
import io.netty.resolver.DefaultAddressResolverGroup;
import io.netty.resolver.dns.DnsAddressResolverGroup;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.resolver.dns.SingletonDnsServerAddressStreamProvider;
import io.netty.util.Version;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.Security;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.crypto.digests.Blake2bDigest;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/**
 * A sample service that ships its OWN Netty, Jackson and Bouncy Castle, in versions other than the
 * agent's, and uses all three on every request, so that a clash with the agent's copies would show:
 * a Netty HTTP server answers {@code GET /hello} with JSON written by Jackson, holding the library
 * versions it actually ran with and digests computed with Bouncy Castle (the light-weight API and
 * the JCA provider registered under the name "BC"). With {@code APP_TRANSPORT=epoll} it listens on
 * Netty's native epoll transport instead of NIO, and says which one it used; {@code GET
 * /call?host=H&port=P&path=/x} makes a GET to {@code http://H:P/x} with a Netty client on the same
 * transport and answers with what came back (502 with the error when the call failed); with {@code
 * APP_DNS_SERVER=host:port} that client resolves names with Netty's own DNS client, asking only that
 * server.
 */
public final class IsolationApp {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final AtomicLong SERVED = new AtomicLong();
  private static String transport;
  /** What {@code GET /call} connects with: the server's worker threads and its transport. */
  private static EventLoopGroup clientGroup;
  private static Class<? extends Channel> clientChannel;
  /** How {@code GET /call} resolves names: the JDK's (Netty's default) or Netty's own DNS client. */
  private static AddressResolverGroup<? extends SocketAddress> clientResolver =
      DefaultAddressResolverGroup.INSTANCE;

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
    clientGroup = workers;
    clientChannel = epoll ? EpollSocketChannel.class : NioSocketChannel.class;
    // APP_DNS_SERVER=host:port: resolve with Netty's own DNS client (as Reactor Netty does) asking
    // only that server, instead of the JDK's InetAddress.
    String dnsServer = SampleSupport.setting("app.dns.server", "APP_DNS_SERVER", "");
    if (!dnsServer.isEmpty()) {
      int colon = dnsServer.lastIndexOf(':');
      clientResolver =
          new DnsAddressResolverGroup(
              new DnsNameResolverBuilder()
                  .channelType(epoll ? EpollDatagramChannel.class : NioDatagramChannel.class)
                  .nameServerProvider(
                      new SingletonDnsServerAddressStreamProvider(
                          new InetSocketAddress(
                              dnsServer.substring(0, colon),
                              Integer.parseInt(dnsServer.substring(colon + 1)))))
                  .queryTimeoutMillis(1000));
    }
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
      QueryStringDecoder query = new QueryStringDecoder(request.uri());
      String path = query.path();
      boolean keepAlive = HttpUtil.isKeepAlive(request);
      if ("/call".equals(path)) {
        call(query.parameters(), (status, body) -> respond(ctx, keepAlive, status, body));
        return;
      }
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
      respond(ctx, keepAlive, status, body);
    }

    private static void respond(
        ChannelHandlerContext ctx, boolean keepAlive, HttpResponseStatus status, String body) {
      FullHttpResponse response =
          new DefaultFullHttpResponse(
              HttpVersion.HTTP_1_1,
              status,
              Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
      response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
      HttpUtil.setContentLength(response, response.content().readableBytes());
      if (keepAlive) {
        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        ctx.writeAndFlush(response);
      } else {
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
      }
    }

    /** One GET on a new connection of the app's own transport; {@code done} gets the outcome. */
    private static void call(
        Map<String, List<String>> params, BiConsumer<HttpResponseStatus, String> done) {
      String host = params.get("host").get(0);
      int port = Integer.parseInt(params.get("port").get(0));
      String target = params.get("path").get(0);
      new Bootstrap()
          .group(clientGroup)
          .channel(clientChannel)
          .resolver(clientResolver)
          .handler(
              new ChannelInitializer<Channel>() {
                @Override
                protected void initChannel(Channel channel) {
                  channel
                      .pipeline()
                      .addLast(new HttpClientCodec())
                      .addLast(new HttpObjectAggregator(1 << 20))
                      .addLast(
                          new SimpleChannelInboundHandler<FullHttpResponse>() {
                            @Override
                            protected void channelRead0(
                                ChannelHandlerContext c, FullHttpResponse response) {
                              done.accept(
                                  response.status(),
                                  response.content().toString(StandardCharsets.UTF_8));
                              c.close();
                            }

                            @Override
                            public void exceptionCaught(ChannelHandlerContext c, Throwable cause) {
                              done.accept(HttpResponseStatus.BAD_GATEWAY, error(cause));
                              c.close();
                            }
                          });
                }
              })
          .connect(host, port)
          .addListener(
              (ChannelFuture connected) -> {
                if (!connected.isSuccess()) {
                  done.accept(HttpResponseStatus.BAD_GATEWAY, error(connected.cause()));
                  return;
                }
                DefaultFullHttpRequest get =
                    new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, target);
                get.headers().set(HttpHeaderNames.HOST, host + ":" + port);
                get.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
                connected.channel().writeAndFlush(get);
              });
    }

    private static String error(Throwable cause) {
      return MAPPER.createObjectNode().put("error", String.valueOf(cause)).toString();
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
