package dev.jmesh.instrumentation.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.jmesh.bootstrap.Hooks;
import dev.jmesh.bootstrap.InboundHook;
import dev.jmesh.bootstrap.OutboundHook;
import dev.jmesh.instrumentation.tooling.InstalledOnce;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.resolver.dns.DnsNameResolver;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.resolver.dns.SingletonDnsServerAddressStreamProvider;
import io.netty.util.concurrent.Future;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Netty's own DNS resolver, which sends its queries itself: a mesh name is answered by the
 * outbound hook with the name's loopback address and no query is sent; other names are looked up
 * as before. Its only DNS server is a UDP socket of this test on 127.0.0.1 that never answers, so
 * a query that should not have been sent shows there, and none leaves the machine.
 */
class DnsResolverTest {

  private static final String MESH_NAME = "meshsvc";
  private static final InetAddress MESH_ADDRESS = address(MESH_NAME, 127, 255, 0, 9);

  private static EventLoopGroup group;
  private static DatagramSocket dnsServer;
  private static DnsNameResolver resolver;

  @BeforeAll
  static void start() throws IOException {
    InstalledOnce.module(new NettyModule());
    Hooks.install(InboundHook.NONE, new MeshNames());
    group = new NioEventLoopGroup(1);
    dnsServer = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    dnsServer.setSoTimeout(300);
    resolver =
        new DnsNameResolverBuilder(group.next())
            .channelType(NioDatagramChannel.class)
            .nameServerProvider(
                new SingletonDnsServerAddressStreamProvider(
                    (InetSocketAddress) dnsServer.getLocalSocketAddress()))
            .queryTimeoutMillis(500)
            .maxQueriesPerResolve(1)
            .build();
  }

  @AfterAll
  static void stop() {
    Hooks.install(InboundHook.NONE, OutboundHook.NONE);
    if (resolver != null) {
      resolver.close();
    }
    if (dnsServer != null) {
      dnsServer.close();
    }
    if (group != null) {
      group.shutdownGracefully();
    }
  }

  /**
   * A look-up of another name sends more than one query (A and AAAA); what an earlier test left
   * in the socket must not count as this test's.
   */
  @BeforeEach
  void noQueryLeftOver() throws IOException {
    while (queryArrived()) {
      // drained
    }
  }

  @Test
  void aMeshNameIsAnsweredWithoutAQuery() throws Exception {
    assertEquals(MESH_ADDRESS, resolver.resolve(MESH_NAME).get(5, TimeUnit.SECONDS));
    assertEquals(List.of(MESH_ADDRESS), resolver.resolveAll(MESH_NAME).get(5, TimeUnit.SECONDS));
    assertFalse(queryArrived(), "a query for the mesh name reached the DNS server");
  }

  @Test
  void anyOtherNameStillGoesToTheDnsServer() throws Exception {
    Future<InetAddress> lookUp = resolver.resolve("not-in-the-mesh.test");
    assertEquals(true, queryArrived(), "the resolver sent no query for a name outside the mesh");
    lookUp.await(5, TimeUnit.SECONDS);
    assertFalse(lookUp.isSuccess(), "nothing answers that name here");
  }

  /** Whether a datagram reached the DNS server's socket within its timeout. */
  private static boolean queryArrived() throws IOException {
    DatagramPacket packet = new DatagramPacket(new byte[512], 512);
    try {
      dnsServer.receive(packet);
      return true;
    } catch (SocketTimeoutException e) {
      return false;
    }
  }

  private static InetAddress address(String name, int... bytes) {
    try {
      byte[] raw = new byte[bytes.length];
      for (int i = 0; i < bytes.length; i++) {
        raw[i] = (byte) bytes[i];
      }
      return InetAddress.getByAddress(name, raw);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static final class MeshNames implements OutboundHook {
    @Override
    public InetAddress[] resolve(String host) {
      return MESH_NAME.equals(host) ? new InetAddress[] {MESH_ADDRESS} : null;
    }

    @Override
    public SocketAddress beforeConnect(SocketAddress target) {
      return target;
    }
  }
}
