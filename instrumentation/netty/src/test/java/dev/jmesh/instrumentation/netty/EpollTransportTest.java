package dev.jmesh.instrumentation.netty;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.jmesh.bootstrap.Hooks;
import dev.jmesh.bootstrap.InboundHook;
import dev.jmesh.bootstrap.OutboundHook;
import dev.jmesh.instrumentation.tooling.InstalledOnce;
import dev.jmesh.instrumentation.tooling.MovingInboundHook;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketAddress;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Netty on the native epoll transport, whose binds and connects never reach the JDK's sockets: a
 * server is moved by the inbound hook like a JDK listener (and the hook learns where it ended up),
 * and a client's connection to a mesh name is re-targeted by the outbound hook.
 */
class EpollTransportTest {

  private static final MovingInboundHook INBOUND = new MovingInboundHook();
  /** A mesh name's loopback address, as the agent resolves it; nothing listens there. */
  private static final InetSocketAddress MESH_SERVICE = new InetSocketAddress("127.255.0.7", 8080);
  /** Where the outbound hook sends connections to {@link #MESH_SERVICE} (the egress, in the agent). */
  private static volatile InetSocketAddress egress;
  private static EventLoopGroup group;

  @BeforeAll
  static void start() {
    assumeTrue(Epoll.isAvailable(), () -> "no epoll here: " + Epoll.unavailabilityCause());
    InstalledOnce.module(new NettyModule());
    Hooks.install(INBOUND, new RetargetingOutbound());
    group = new EpollEventLoopGroup(1);
  }

  @AfterAll
  static void stop() {
    Hooks.install(InboundHook.NONE, OutboundHook.NONE);
    if (group != null) {
      group.shutdownGracefully();
    }
  }

  private static Channel bind(int port) throws InterruptedException {
    return new ServerBootstrap()
        .group(group)
        .channel(EpollServerSocketChannel.class)
        .childHandler(new ChannelInboundHandlerAdapter())
        .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))
        .sync()
        .channel();
  }

  @Test
  void anEpollListenerIsMovedToTheAddressTheHookChose() throws Exception {
    int port = freePort();
    INBOUND.move(port, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    Channel channel = bind(port);
    try {
      InetSocketAddress actual = (InetSocketAddress) channel.localAddress();
      assertNotEquals(port, actual.getPort(), "the app's listener should have moved");
      assertEquals(actual, INBOUND.boundFor(port), "what the hook was told after the bind");
      try (ServerSocket agentSide = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
        assertEquals(port, agentSide.getLocalPort(), "the requested port is left for the agent");
      }
    } finally {
      channel.close().sync();
    }
  }

  @Test
  void anEpollBindTheHookLeavesAloneIsUntouched() throws Exception {
    int port = freePort();
    Channel channel = bind(port);
    try {
      assertEquals(port, ((InetSocketAddress) channel.localAddress()).getPort());
      assertNull(INBOUND.boundFor(port));
    } finally {
      channel.close().sync();
    }
  }

  @Test
  void anEpollClientsConnectionToAMeshServiceGoesWhereTheHookSends() throws Exception {
    int port = freePort();
    Channel server = bind(port);
    egress = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    Channel client =
        new Bootstrap()
            .group(group)
            .channel(EpollSocketChannel.class)
            .handler(new ChannelInboundHandlerAdapter())
            .connect(MESH_SERVICE)
            .sync()
            .channel();
    try {
      assertEquals(port, ((InetSocketAddress) client.remoteAddress()).getPort());
    } finally {
      client.close().sync();
      server.close().sync();
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static final class RetargetingOutbound implements OutboundHook {
    @Override
    public InetAddress[] resolve(String host) {
      return null;
    }

    @Override
    public SocketAddress beforeConnect(SocketAddress target) {
      return MESH_SERVICE.equals(target) ? egress : target;
    }
  }
}
