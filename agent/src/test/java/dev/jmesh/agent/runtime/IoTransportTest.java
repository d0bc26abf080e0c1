package dev.jmesh.agent.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jmesh.agent.config.IoTransportSetting;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

class IoTransportTest {

  private static final Throwable NO_LIBRARY =
      new UnsatisfiedLinkError("no netty_transport_native_epoll in java.library.path");

  @Test
  void autoPicksEpollWhenItLoadsAndNioQuietlyWhenItCannot() {
    assertTrue(IoTransport.useEpoll(IoTransportSetting.AUTO, false, () -> null));
    try (CapturedStderr stderr = new CapturedStderr()) {
      assertFalse(IoTransport.useEpoll(IoTransportSetting.AUTO, false, () -> NO_LIBRARY));
      assertEquals("", stderr.text());
    }
  }

  @Test
  void autoStaysOnNioWhereLoadingWouldWarnWithoutEvenTryingTheLibrary() {
    assertFalse(
        IoTransport.useEpoll(
            IoTransportSetting.AUTO,
            true,
            () -> {
              throw new AssertionError("the library must not be loaded");
            }));
  }

  @Test
  void nioIsNioAndEpollLoadsEvenWhereLoadingWouldWarn() {
    assertFalse(IoTransport.useEpoll(IoTransportSetting.NIO, false, () -> null));
    assertTrue(IoTransport.useEpoll(IoTransportSetting.EPOLL, true, () -> null));
  }

  @Test
  void epollWhereItCannotLoadWarnsOnceAndUsesNio() {
    try (CapturedStderr stderr = new CapturedStderr()) {
      assertFalse(IoTransport.useEpoll(IoTransportSetting.EPOLL, false, () -> NO_LIBRARY));
      assertFalse(IoTransport.useEpoll(IoTransportSetting.EPOLL, false, () -> NO_LIBRARY));
      String text = stderr.text();
      assertTrue(
          text.contains("jmesh.io.transport=epoll but epoll's native library did not load"), text);
      assertEquals(text.indexOf("WARN"), text.lastIndexOf("WARN"), text);
    }
  }

  @Test
  @EnabledOnOs(OS.LINUX)
  void theDefaultOnLinuxIsEpollUnlessLoadingWouldWarn() {
    assertEquals(
        !NativeAccess.loadingWouldWarn(), IoTransport.useEpoll(IoTransportSetting.AUTO));
  }

  @Test
  @EnabledOnOs(OS.LINUX)
  void channelsMatchTheirLoops() {
    for (boolean epoll : new boolean[] {true, false}) {
      EventLoopGroup group = IoTransport.newGroup(epoll, 1, new AgentThreadFactory("test-io"));
      try {
        assertSame(
            epoll ? EpollSocketChannel.class : NioSocketChannel.class,
            IoTransport.socketChannel(group.next()));
        assertSame(
            epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class,
            IoTransport.serverChannel(group));
        assertEquals(epoll ? "epoll" : "NIO", IoTransport.name(group));
      } finally {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  @EnabledOnOs(OS.LINUX)
  void anEpollBindToAnAddressInUseFailsAsTheJdkWould() throws IOException, InterruptedException {
    EventLoopGroup group = IoTransport.newGroup(true, 1, new AgentThreadFactory("test-io"));
    try (ServerSocket taken = new ServerSocket()) {
      taken.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      ChannelFuture bind =
          new ServerBootstrap()
              .group(group)
              .channel(IoTransport.serverChannel(group))
              .childHandler(new ChannelInboundHandlerAdapter())
              .bind(taken.getLocalSocketAddress())
              .await();
      assertFalse(bind.isSuccess());
      Throwable failure = IoTransport.bindFailure(bind.cause());
      assertInstanceOf(BindException.class, failure);
      assertTrue(failure.getMessage().contains("Address already in use"), failure.getMessage());
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
  }
}
