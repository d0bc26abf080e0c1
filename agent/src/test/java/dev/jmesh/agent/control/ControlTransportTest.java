package dev.jmesh.agent.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jmesh.agent.config.TlsProvider;
import dev.jmesh.agent.identity.CertificateSigningRequests;
import dev.jmesh.agent.identity.IdentityStore;
import dev.jmesh.agent.runtime.TestControlServer;
import dev.jmesh.agent.tls.TestPki;
import dev.jmesh.agent.tls.TlsEngine;
import dev.jmesh.api.JoinToken;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import javax.net.ssl.SSLHandshakeException;
import org.bouncycastle.asn1.x509.GeneralName;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The control client's HTTP over the agent's Netty and TLS engine, against the real server. */
class ControlTransportTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  @TempDir Path dataDir;
  private TestControlServer server;
  private ControlTransport transport;

  @AfterEach
  void close() {
    if (transport != null) {
      transport.close();
    }
    if (server != null) {
      server.close();
    }
  }

  private ControlTransport transportFor(TestControlServer server) throws Exception {
    String caSha256 = JoinToken.parse(server.joinToken("default", "orders")).caSha256();
    return new ControlTransport(
        new IdentityStore(),
        new ControlServerTrustManager(caSha256, List.of()),
        ControlTransportTest::autoEngine);
  }

  /** The engine a default agent runs on here. */
  static TlsEngine autoEngine() {
    return TlsEngine.choose(TlsProvider.AUTO);
  }

  private ControlTransport.Answer get(URI url, String path) throws IOException {
    return transport.call(url, "GET", path, Map.of(), null, TIMEOUT, TIMEOUT);
  }

  @Test
  void callsOneAfterAnotherShareOneConnection() throws Exception {
    server = new TestControlServer(dataDir, Duration.ofHours(1));
    transport = transportFor(server);
    for (int i = 0; i < 3; i++) {
      ControlTransport.Answer answer = get(server.url(), "/v1/instances/nobody");
      assertEquals(405, answer.status(), new String(answer.body()));
      assertTrue(new String(answer.body()).contains("GET is not allowed"), new String(answer.body()));
    }
    assertEquals(1, transport.connectionsOpened());
  }

  @Test
  void aKeptConnectionTheServerClosedIsReplacedWithoutFailingTheCall() throws Exception {
    server = new TestControlServer(dataDir, Duration.ofHours(1));
    transport = transportFor(server);
    int port = server.server.port();
    assertEquals(405, get(server.url(), "/v1/instances/nobody").status());
    server.close();
    server = new TestControlServer(dataDir, Duration.ofHours(1), "127.0.0.1", port);

    assertEquals(405, get(server.url(), "/v1/instances/nobody").status());
    assertEquals(2, transport.connectionsOpened());
  }

  @Test
  void aKeptConnectionClosedAsTheNextCallIsSentIsRetriedOnAFreshOne() throws Exception {
    // Answers the first request on a connection (keep-alive) and closes it on the second without
    // an answer: the race of a server dropping an idle connection as a call goes out.
    try (ScriptedServer scripted = new ScriptedServer(AnswersOnce::new)) {
      transport = scripted.transport();
      assertEquals(200, get(scripted.url, "/first").status());
      assertEquals(200, get(scripted.url, "/second").status());
      assertEquals(2, transport.connectionsOpened());
    }
  }

  @Test
  void anInterruptedCallClosesItsConnection() throws Exception {
    try (ScriptedServer scripted = new ScriptedServer(NeverAnswers::new)) {
      transport = scripted.transport();
      CompletableFuture<Throwable> outcome = new CompletableFuture<>();
      Thread caller =
          new Thread(
              () -> {
                try {
                  transport.call(
                      scripted.url, "GET", "/hang", Map.of(), null, TIMEOUT, Duration.ofMinutes(1));
                  outcome.complete(null);
                } catch (Throwable t) {
                  outcome.complete(t);
                }
              });
      caller.start();
      Channel serverSide = scripted.requests.poll(10, TimeUnit.SECONDS);
      assertNotNull(serverSide, "the request never reached the server");
      caller.interrupt();

      assertTrue(outcome.get(10, TimeUnit.SECONDS) instanceof InterruptedIOException);
      assertTrue(
          serverSide.closeFuture().await(10, TimeUnit.SECONDS), "the connection stayed open");
    }
  }

  @Test
  void callsAtTheSameTimeEachGetTheirOwnAnswer() throws Exception {
    server = new TestControlServer(dataDir, Duration.ofHours(1));
    transport = transportFor(server);
    int callers = 6;
    ExecutorService pool = Executors.newFixedThreadPool(callers);
    try {
      List<Future<ControlTransport.Answer>> answers = new ArrayList<>();
      for (int i = 0; i < callers; i++) {
        String path = "/v1/instances/caller-" + i;
        answers.add(pool.submit(() -> get(server.url(), path)));
      }
      for (int i = 0; i < callers; i++) {
        ControlTransport.Answer answer = answers.get(i).get(20, TimeUnit.SECONDS);
        assertEquals(405, answer.status());
        assertTrue(new String(answer.body()).contains("/v1/instances/caller-" + i + ";"));
      }
    } finally {
      pool.shutdownNow();
    }
    int opened = transport.connectionsOpened();
    assertTrue(opened >= 1 && opened <= callers, "opened " + opened);
    assertEquals(405, get(server.url(), "/v1/instances/later").status());
    assertEquals(opened, transport.connectionsOpened(), "a kept connection is reused");
  }

  /**
   * A TLS HTTP/1.1 server on 127.0.0.1 whose certificate chains to a root the transport pins; each
   * connection gets a fresh handler from {@code handlers}, and every request's connection is
   * offered to {@link #requests}.
   */
  private static final class ScriptedServer implements AutoCloseable {
    final BlockingQueue<Channel> requests = new LinkedBlockingQueue<>();
    final URI url;
    private final TestPki pki = new TestPki();
    private final NioEventLoopGroup group = new NioEventLoopGroup(1);

    ScriptedServer(Supplier<ChannelHandler> handlers) throws Exception {
      KeyPair key = CertificateSigningRequests.newKeyPair();
      X509Certificate leaf =
          pki.leafNamed(
              key.getPublic(),
              List.of(new GeneralName(GeneralName.iPAddress, "127.0.0.1")),
              Duration.ofHours(1),
              TestPki.serverAndClient());
      SslContext tls = SslContextBuilder.forServer(key.getPrivate(), leaf, pki.root).build();
      Channel listener =
          new ServerBootstrap()
              .group(group)
              .channel(NioServerSocketChannel.class)
              .childHandler(
                  new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                      ch.pipeline()
                          .addLast(tls.newHandler(ch.alloc()))
                          .addLast(new HttpServerCodec())
                          .addLast(new HttpObjectAggregator(1024))
                          .addLast(new SimpleChannelInboundHandler<FullHttpRequest>(false) {
                            @Override
                            protected void channelRead0(
                                ChannelHandlerContext ctx, FullHttpRequest request) {
                              requests.add(ctx.channel());
                              ctx.fireChannelRead(request);
                            }
                          })
                          .addLast(handlers.get());
                    }
                  })
              .bind("127.0.0.1", 0)
              .sync()
              .channel();
      url = URI.create("https://127.0.0.1:" + ((InetSocketAddress) listener.localAddress()).getPort());
    }

    ControlTransport transport() {
      return new ControlTransport(
          new IdentityStore(),
          new ControlServerTrustManager(ControlServerTrustManager.sha256Hex(pki.root), List.of()),
          ControlTransportTest::autoEngine);
    }

    @Override
    public void close() {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
  }

  private static final class AnswersOnce extends SimpleChannelInboundHandler<FullHttpRequest> {
    private boolean answered;

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
      if (answered) {
        ctx.close();
        return;
      }
      answered = true;
      FullHttpResponse ok = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
      HttpUtil.setContentLength(ok, 0);
      ctx.writeAndFlush(ok);
    }
  }

  private static final class NeverAnswers extends SimpleChannelInboundHandler<FullHttpRequest> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {}
  }

  @Test
  void aServerOutsideTheTokensCaFailsTheHandshake() throws Exception {
    server = new TestControlServer(dataDir, Duration.ofHours(1));
    transport =
        new ControlTransport(
            new IdentityStore(),
            new ControlServerTrustManager("ab".repeat(32), List.of()),
            ControlTransportTest::autoEngine);
    IOException e = assertThrows(IOException.class, () -> get(server.url(), "/v1/nothing"));
    assertTrue(e instanceof SSLHandshakeException, e.toString());
    assertTrue(
        ControlClient.describe(server.url(), e)
            .contains("does not end in the CA the join token names"),
        ControlClient.describe(server.url(), e));
  }
}
