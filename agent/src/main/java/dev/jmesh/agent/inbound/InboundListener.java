package dev.jmesh.agent.inbound;

import dev.jmesh.agent.runtime.IoTransport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.SocketChannel;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;

/**
 * The agent's listener on an address the application asked for. The application's own listener
 * moves to a loopback ephemeral port ({@link #appAddress}); every connection to the original
 * address goes through the mesh first.
 */
public final class InboundListener {

  private final InetSocketAddress requested;
  private final Channel serverChannel;
  private volatile CompletableFuture<InetSocketAddress> appAddress = new CompletableFuture<>();

  private InboundListener(InetSocketAddress requested, Channel serverChannel) {
    this.requested = requested;
    this.serverChannel = serverChannel;
  }

  /**
   * Binds {@code requested} now, on the caller's thread's behalf (the bind itself runs on an agent
   * event loop).
   *
   * @throws Exception what the bind threw; an address in use or not permitted is a {@link
   *     java.net.BindException} on either transport
   */
  static InboundListener bind(InetSocketAddress requested, InboundContext context)
      throws Exception {
    InboundListener[] self = new InboundListener[1];
    ServerBootstrap bootstrap =
        new ServerBootstrap()
            .group(context.acceptors(), context.workers())
            .channel(IoTransport.serverChannel(context.acceptors()))
            .option(ChannelOption.SO_REUSEADDR, true)
            .option(ChannelOption.SO_BACKLOG, 1024)
            .childOption(ChannelOption.AUTO_READ, false)
            .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ch.pipeline().addLast(new InboundConnectionSetup(self[0], context));
                  }
                });
    ChannelFuture bound = bootstrap.bind(requested).await();
    if (!bound.isSuccess()) {
      Throwable failure = IoTransport.bindFailure(bound.cause());
      if (failure instanceof Error error) {
        throw error;
      }
      throw (Exception) failure;
    }
    Channel channel = bound.channel();
    self[0] = new InboundListener(requested, channel);
    return self[0];
  }

  public InetSocketAddress requested() {
    return requested;
  }

  /** The original application port, which policy and registration use. */
  public int port() {
    return requested.getPort();
  }

  /** Completes with the application's real (loopback) address once its bind has succeeded. */
  public CompletableFuture<InetSocketAddress> appAddress() {
    return appAddress;
  }

  /** The application (re)bound its listener at {@code bound}. */
  void appBound(InetSocketAddress bound) {
    if (!appAddress.complete(bound)) {
      appAddress = CompletableFuture.completedFuture(bound);
    }
  }

  /** The application's listener at this address is gone: wait for a new bind. */
  void appUnbound() {
    if (appAddress.isDone()) {
      appAddress = new CompletableFuture<>();
    }
  }

  public boolean isOpen() {
    return serverChannel.isOpen();
  }

  public InetSocketAddress localAddress() {
    return (InetSocketAddress) serverChannel.localAddress();
  }

  void close() {
    serverChannel.close().syncUninterruptibly();
  }
}
