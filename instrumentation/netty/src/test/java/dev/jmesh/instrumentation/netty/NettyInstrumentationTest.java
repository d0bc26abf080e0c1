package dev.jmesh.instrumentation.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jmesh.bootstrap.RequestContext;
import dev.jmesh.instrumentation.tooling.InstalledOnce;
import dev.jmesh.instrumentation.tooling.Installer;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A real Netty 4.1 HTTP server (one event-loop thread, so every request runs on the same thread),
 * instrumented in this JVM by the real installer: the application's handlers see the context of
 * the request they read, and only while they read it.
 */
class NettyInstrumentationTest {

  private static final String TRACEPARENT = "00-5c8f2b1a9d3e4f60718293a4b5c6d7e8-1a2b3c4d5e6f7a8b-01";
  private static final String REQUEST_ID = "0b9e7c5a-3f1d-4e2b-8a6c-4d2e0f1a3b5c";
  private static final String SEEN = TRACEPARENT + " " + REQUEST_ID;
  private static final HttpClient CLIENT =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private static Installer installer;
  private static EventLoopGroup group;
  private static int aggregatedPort;
  private static int streamedPort;
  private static int rawPort;

  @BeforeAll
  static void start() throws InterruptedException {
    installer = InstalledOnce.module(new NettyModule());
    group = new NioEventLoopGroup(1);
    aggregatedPort =
        serve(
            pipeline -> {
              pipeline.addLast(new HttpServerCodec());
              pipeline.addLast(new HttpObjectAggregator(1 << 20));
              pipeline.addLast(new AggregatedHandler());
            });
    streamedPort =
        serve(
            pipeline -> {
              pipeline.addLast(new HttpServerCodec());
              pipeline.addLast(new StreamedHandler());
            });
    rawPort = serve(pipeline -> pipeline.addLast(new RawEchoHandler()));
  }

  @AfterAll
  static void stop() {
    group.shutdownGracefully();
    assertEquals(0, installer.errorCount(), "the installer logged transformation errors");
  }

  private static int serve(Consumer<io.netty.channel.ChannelPipeline> pipeline)
      throws InterruptedException {
    Channel channel =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    pipeline.accept(ch.pipeline());
                  }
                })
            .bind("127.0.0.1", 0)
            .sync()
            .channel();
    return ((InetSocketAddress) channel.localAddress()).getPort();
  }

  private static String describe(RequestContext context) {
    return context == null
        ? "none"
        : context.value("traceparent") + " " + context.value("x-request-id");
  }

  private static void answer(ChannelHandlerContext ctx, String body) {
    FullHttpResponse response =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1,
            HttpResponseStatus.OK,
            Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
    response.headers().set(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
    ctx.writeAndFlush(response);
  }

  /** An application handler behind an aggregator: sees whole requests. */
  private static final class AggregatedHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
      answer(ctx, describe(RequestContext.current()));
    }
  }

  /**
   * An application handler reading the request's parts as they come: answers with the context
   * it saw for the head, and the distinct ones it saw for the chunks of content.
   */
  private static final class StreamedHandler extends SimpleChannelInboundHandler<HttpObject> {
    private String onRequest;
    private final Set<String> onContent = new TreeSet<>();

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, HttpObject message) {
      if (message instanceof HttpRequest) {
        onRequest = describe(RequestContext.current());
        onContent.clear();
      }
      if (message instanceof HttpContent) {
        onContent.add(describe(RequestContext.current()));
      }
      if (message instanceof LastHttpContent) {
        answer(ctx, onRequest + "|" + String.join(",", onContent));
      }
    }
  }

  /** A pipeline with no HTTP at all: bytes in, the context seen, bytes out. */
  @ChannelHandler.Sharable
  private static final class RawEchoHandler extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object message) {
      ((ByteBuf) message).release();
      ctx.writeAndFlush(Unpooled.copiedBuffer(describe(RequestContext.current()), StandardCharsets.UTF_8))
          .addListener(ChannelFutureListener.CLOSE);
    }
  }

  /** POSTs a body in chunks (its length unknown up front), so the server streams it. */
  private static String get(int port, boolean withContext) throws Exception {
    byte[] body = "a body long enough for more than one chunk".repeat(2000).getBytes(StandardCharsets.US_ASCII);
    java.net.http.HttpRequest.Builder request =
        java.net.http.HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
            .POST(BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)));
    if (withContext) {
      request.header("traceparent", TRACEPARENT).header("x-request-id", REQUEST_ID);
    }
    return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString()).body();
  }

  /** The execution's Netty is the one on the class path (4.1, and 4.2 in test-on-netty-4.2). */
  @Test
  void runsOnTheNettyThisExecutionAskedFor() {
    assertEquals(
        System.getProperty("expected.netty.version"),
        io.netty.util.Version.identify().get("netty-transport").artifactVersion());
  }

  @Test
  void aHandlerBehindAnAggregatorSeesTheRequestsContext() throws Exception {
    assertEquals(SEEN, get(aggregatedPort, true));
  }

  @Test
  void aStreamingHandlerSeesItForTheRequestHeadAndTheContentThatFollows() throws Exception {
    assertEquals(SEEN + "|" + SEEN, get(streamedPort, true));
  }

  @Test
  void aRequestWithoutContextSeesNoneOnTheSameEventLoop() throws Exception {
    assertEquals(SEEN, get(aggregatedPort, true));
    assertEquals("none", get(aggregatedPort, false));
    assertEquals("none|none", get(streamedPort, false));
  }

  @Test
  void aPipelineWithoutHttpRunsAsBefore() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", rawPort)) {
      OutputStream out = socket.getOutputStream();
      out.write("traceparent: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      assertEquals("none", new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
  }
}
