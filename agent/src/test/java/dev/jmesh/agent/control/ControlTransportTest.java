package dev.jmesh.agent.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
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
        () -> TlsEngine.choose(TlsProvider.AUTO));
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
    TestPki pki = new TestPki();
    KeyPair key = CertificateSigningRequests.newKeyPair();
    X509Certificate leaf =
        pki.leafNamed(
            key.getPublic(),
            List.of(new GeneralName(GeneralName.iPAddress, "127.0.0.1")),
            Duration.ofHours(1),
            TestPki.serverAndClient());
    SslContext serverTls = SslContextBuilder.forServer(key.getPrivate(), leaf, pki.root).build();
    NioEventLoopGroup group = new NioEventLoopGroup(1);
    try {
      // Answers the first request on a connection (keep-alive) and closes it on the second
      // without an answer: the race of a server dropping an idle connection as a call goes out.
      Channel listener =
          new ServerBootstrap()
              .group(group)
              .channel(NioServerSocketChannel.class)
              .childHandler(
                  new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                      ch.pipeline()
                          .addLast(serverTls.newHandler(ch.alloc()))
                          .addLast(new HttpServerCodec())
                          .addLast(new HttpObjectAggregator(1024))
                          .addLast(new AnswersOnce());
                    }
                  })
              .bind("127.0.0.1", 0)
              .sync()
              .channel();
      URI url =
          URI.create("https://127.0.0.1:" + ((InetSocketAddress) listener.localAddress()).getPort());
      transport =
          new ControlTransport(
              new IdentityStore(),
              new ControlServerTrustManager(ControlServerTrustManager.sha256Hex(pki.root), List.of()),
              () -> TlsEngine.choose(TlsProvider.AUTO));

      assertEquals(200, get(url, "/first").status());
      assertEquals(200, get(url, "/second").status());
      assertEquals(2, transport.connectionsOpened());
      listener.close().sync();
    } finally {
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

  @Test
  void aServerOutsideTheTokensCaFailsTheHandshake() throws Exception {
    server = new TestControlServer(dataDir, Duration.ofHours(1));
    transport =
        new ControlTransport(
            new IdentityStore(),
            new ControlServerTrustManager("ab".repeat(32), List.of()),
            () -> TlsEngine.choose(TlsProvider.AUTO));
    IOException e = assertThrows(IOException.class, () -> get(server.url(), "/v1/nothing"));
    assertTrue(e instanceof SSLHandshakeException, e.toString());
    assertTrue(
        ControlClient.describe(server.url(), e)
            .contains("does not end in the CA the join token names"),
        ControlClient.describe(server.url(), e));
  }
}
