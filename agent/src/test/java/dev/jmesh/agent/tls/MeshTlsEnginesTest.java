package dev.jmesh.agent.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jmesh.agent.identity.CertificateSigningRequests;
import dev.jmesh.agent.identity.IdentityStore;
import dev.jmesh.agent.identity.WorkloadCertificate;
import dev.jmesh.agent.identity.WorkloadKeyManager;
import dev.jmesh.agent.runtime.Poll;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.ssl.SslProvider;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Mesh mTLS on each engine (BoringSSL and the JDK's) and across them: the SPIFFE identity each
 * side reads from the session, refusals by the mesh trust manager, and rotation.
 */
class MeshTlsEnginesTest {

  private static NioEventLoopGroup group;

  private final TestPki pki = new TestPki();

  @BeforeAll
  static void startLoop() {
    group = new NioEventLoopGroup(1);
  }

  @AfterAll
  static void stopLoop() {
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
  }

  private static TlsEngine engine(String name) {
    return switch (name) {
      case "jdk" -> TlsEngine.JDK;
      case "openssl" -> TlsEngine.BORINGSSL;
      default -> throw new IllegalArgumentException(name);
    };
  }

  @Test
  void boringSslLoadsOnTheTestPlatform() {
    assertNull(OpenSsl.unavailabilityCause());
  }

  @ParameterizedTest(name = "server {0}, client {1}")
  @CsvSource({"openssl,openssl", "jdk,jdk", "openssl,jdk", "jdk,openssl"})
  void eachSideSeesThePeersSpiffeId(String serverEngine, String clientEngine) throws Exception {
    MeshTlsContexts server =
        new MeshTlsContexts(pki.identity("shop", "cart"), engine(serverEngine));
    MeshTlsContexts client =
        new MeshTlsContexts(pki.identity("shop", "web"), engine(clientEngine));
    assertEquals(engine(serverEngine).provider(), providerOf(server.server()));
    assertEquals(engine(clientEngine).provider(), providerOf(client.client()));

    Handshake result = handshake(server.server(), client.client());

    assertNull(result.serverFailure(), () -> "server refused: " + result.serverFailure());
    assertNull(result.clientFailure(), () -> "client refused: " + result.clientFailure());
    assertEquals(pki.spiffeId("shop", "web"), result.serverSaw().spiffeId().toString());
    assertEquals(pki.spiffeId("shop", "cart"), result.clientSaw().spiffeId().toString());
    assertEquals("TLSv1.3", result.serverSaw().protocol());
  }

  @ParameterizedTest
  @ValueSource(strings = {"openssl", "jdk"})
  void theServerRefusesAClientFromAnotherTrustDomain(String serverEngine) throws Exception {
    KeyPair key = CertificateSigningRequests.newKeyPair();
    X509Certificate foreignDomain =
        pki.leaf(
            key.getPublic(),
            List.of("spiffe://example.org/ns/shop/sa/web"),
            Duration.ofHours(1),
            TestPki.serverAndClient());
    assertServerRefuses(
        serverEngine,
        new WorkloadCertificate(key.getPrivate(), List.of(foreignDomain), "x"),
        "not in the trust domain cluster.local");
  }

  @ParameterizedTest
  @ValueSource(strings = {"openssl", "jdk"})
  void theServerRefusesAClientOfAnUnknownCa(String serverEngine) throws Exception {
    TestPki unknown = new TestPki("cluster.local", "some other root");
    assertServerRefuses(
        serverEngine, unknown.workload("shop", "web"), "does not chain to the mesh trust bundle");
  }

  @ParameterizedTest
  @ValueSource(strings = {"openssl", "jdk"})
  void aRotatedCertificateIsPresentedOnNewConnections(String serverEngine) throws Exception {
    IdentityStore identity = pki.identity("shop", "cart");
    MeshTlsContexts server = new MeshTlsContexts(identity, engine(serverEngine));
    MeshTlsContexts client = new MeshTlsContexts(pki.identity("shop", "web"), engine("jdk"));
    BigInteger before = handshake(server.server(), client.client()).serverLeaf().getSerialNumber();

    WorkloadCertificate rotated = pki.workload("shop", "cart");
    identity.update(rotated, pki.bundle());
    Handshake after = handshake(server.server(), client.client());

    assertNotEquals(before, after.serverLeaf().getSerialNumber());
    assertEquals(rotated.leaf().getSerialNumber(), after.serverLeaf().getSerialNumber());
    assertEquals(engine(serverEngine).provider(), providerOf(server.server()));
  }

  @ParameterizedTest(name = "server {0}, client {1}")
  @CsvSource({"openssl,openssl", "jdk,jdk"})
  void aSecondConnectionThatMayResumeStillShowsBothIdentities(
      String serverEngine, String clientEngine) throws Exception {
    MeshTlsContexts server =
        new MeshTlsContexts(pki.identity("shop", "cart"), engine(serverEngine));
    MeshTlsContexts client =
        new MeshTlsContexts(pki.identity("shop", "web"), engine(clientEngine));

    List<Handshake> both = handshakes(server.server(), client.client(), 2, true);

    for (Handshake h : both) {
      assertNull(h.serverFailure(), () -> "server refused: " + h.serverFailure());
      assertEquals(pki.spiffeId("shop", "web"), h.serverSaw().spiffeId().toString());
      assertEquals(pki.spiffeId("shop", "cart"), h.clientSaw().spiffeId().toString());
      assertTrue(h.serverReadApplicationData());
    }
  }

  private void assertServerRefuses(
      String serverEngine, WorkloadCertificate clientCertificate, String reason) throws Exception {
    MeshTlsContexts server =
        new MeshTlsContexts(pki.identity("shop", "cart"), engine(serverEngine));
    // The client trusts the mesh, so only the server's check can fail the handshake.
    SslContext client =
        SslContextBuilder.forClient()
            .sslProvider(SslProvider.JDK)
            .protocols(MeshTlsContexts.PROTOCOLS)
            // Presents the certificate whatever issuers the server names, as a hostile client
            // would (the JDK's own key manager would send none, leaving the server's check
            // untested).
            .keyManager(new WorkloadKeyManager(storeWith(clientCertificate)))
            .trustManager(new MeshTrustManager(pki.bundle()))
            .build();

    Handshake result = handshake(server.server(), client);

    assertTrue(result.serverFailure() != null, "the server accepted the client");
    assertNull(result.serverSaw());
    assertFalse(result.serverReadApplicationData(), "application data reached the server");
    assertTrue(
        causeChain(result.serverFailure()).contains(reason),
        () -> "refused for another reason: " + causeChain(result.serverFailure()));
  }

  private IdentityStore storeWith(WorkloadCertificate certificate) {
    IdentityStore store = new IdentityStore();
    store.update(certificate, pki.bundle());
    return store;
  }

  private static SslProvider providerOf(SslContext context) {
    boolean jdk = context.getClass().getSimpleName().startsWith("Jdk");
    return jdk ? SslProvider.JDK : SslProvider.OPENSSL;
  }

  private static String causeChain(Throwable failure) {
    StringBuilder chain = new StringBuilder();
    for (Throwable t = failure; t != null; t = t.getCause()) {
      chain.append(t).append(" <- ");
    }
    return chain.toString();
  }

  /** What one connection's handshake showed each side. */
  private record Handshake(
      PeerIdentity serverSaw,
      Throwable serverFailure,
      boolean serverReadApplicationData,
      PeerIdentity clientSaw,
      X509Certificate serverLeaf,
      Throwable clientFailure) {}

  /** One connection over 127.0.0.1 to a fresh listener. */
  private static Handshake handshake(SslContext serverContext, SslContext clientContext)
      throws Exception {
    return handshakes(serverContext, clientContext, 1, false).get(0);
  }

  /**
   * {@code count} connections, one after the other, to one listener on 127.0.0.1; each sends one
   * byte after the client's handshake. With {@code peerHost} the client engine is told the
   * server's address, as the egress does, which lets either engine resume the session.
   */
  private static List<Handshake> handshakes(
      SslContext serverContext, SslContext clientContext, int count, boolean peerHost)
      throws Exception {
    BlockingQueue<CompletableFuture<Object>> serverOutcomes = new LinkedBlockingQueue<>();
    BlockingQueue<AtomicBoolean> serverReads = new LinkedBlockingQueue<>();
    Channel listener =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    CompletableFuture<Object> outcome = new CompletableFuture<>();
                    AtomicBoolean read = new AtomicBoolean();
                    serverOutcomes.add(outcome);
                    serverReads.add(read);
                    ch.pipeline().addLast(serverContext.newHandler(ch.alloc()));
                    ch.pipeline().addLast(new Outcome(outcome, read));
                  }
                })
            .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
            .sync()
            .channel();
    InetSocketAddress address = (InetSocketAddress) listener.localAddress();
    List<Handshake> results = new ArrayList<>();
    try {
      for (int i = 0; i < count; i++) {
        CompletableFuture<Object> clientOutcome = new CompletableFuture<>();
        Channel client =
            new Bootstrap()
                .group(group)
                .channel(NioSocketChannel.class)
                .handler(
                    new ChannelInitializer<SocketChannel>() {
                      @Override
                      protected void initChannel(SocketChannel ch) {
                        ch.pipeline()
                            .addLast(
                                peerHost
                                    ? clientContext.newHandler(
                                        ch.alloc(), address.getHostString(), address.getPort())
                                    : clientContext.newHandler(ch.alloc()));
                        ch.pipeline().addLast(new Outcome(clientOutcome, new AtomicBoolean()));
                      }
                    })
                .connect(address)
                .sync()
                .channel();
        Object clientResult = clientOutcome.get(10, TimeUnit.SECONDS);
        X509Certificate serverLeaf = null;
        if (clientResult instanceof SslHandler ssl) {
          serverLeaf = (X509Certificate) ssl.engine().getSession().getPeerCertificates()[0];
          client.writeAndFlush(client.alloc().buffer(1).writeByte('x'));
        }
        Object serverResult = serverOutcomes.poll(10, TimeUnit.SECONDS).get(10, TimeUnit.SECONDS);
        AtomicBoolean serverRead = serverReads.take();
        if (serverResult instanceof SslHandler) {
          Poll.until(serverRead::get, Duration.ofSeconds(10), "the client's byte at the server");
        }
        client.close().sync();
        results.add(
            new Handshake(
                serverResult instanceof SslHandler s ? peer(s) : null,
                serverResult instanceof Throwable t ? t : null,
                serverRead.get(),
                clientResult instanceof SslHandler s ? peer(s) : null,
                serverLeaf,
                clientResult instanceof Throwable t ? t : null));
      }
      return results;
    } finally {
      listener.close().sync();
    }
  }

  private static PeerIdentity peer(SslHandler handler) throws Exception {
    return PeerIdentity.of(handler.engine().getSession());
  }

  /** Completes with the SslHandler on a successful handshake, or with the failure. */
  private static final class Outcome extends ChannelInboundHandlerAdapter {
    private final CompletableFuture<Object> outcome;
    private final AtomicBoolean read;

    Outcome(CompletableFuture<Object> outcome, AtomicBoolean read) {
      this.outcome = outcome;
      this.read = read;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
      if (event instanceof SslHandshakeCompletionEvent done) {
        outcome.complete(done.isSuccess() ? ctx.pipeline().get(SslHandler.class) : done.cause());
      }
      ctx.fireUserEventTriggered(event);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      read.set(true);
      io.netty.util.ReferenceCountUtil.release(msg);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      outcome.complete(cause);
      ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      outcome.complete(new IllegalStateException("closed before the handshake finished"));
    }
  }
}
