package dev.jmesh.agent.outbound;

import dev.jmesh.agent.http.RequestForwarder;
import dev.jmesh.agent.http.UpgradeResponseWatcher;
import dev.jmesh.agent.runtime.ByteRelay;
import dev.jmesh.agent.runtime.HalfClose;
import dev.jmesh.agent.telemetry.HttpTap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import java.util.function.Function;

/**
 * The application side of an established egress connection: what the application sends goes to
 * the instance, decoded HTTP/1 requests encoded again, raw bytes as they are; after a request that
 * asks to upgrade, the rest waits for the instance's answer ({@link RequestForwarder}).
 * Backpressure and half-close as in {@link ByteRelay}.
 */
final class EgressRelay extends ChannelInboundHandlerAdapter {

  private final Channel upstream;
  private final Function<String, ChannelHandler> requestHandlers;
  private final UpgradeResponseWatcher watcher;
  private final HttpTap tap;
  private ChannelHandlerContext ctx;
  private RequestForwarder forwarder;
  private boolean inputShutdown;

  /**
   * @param requestHandlers makes the handler after a request decoder of the given name, when
   *     decoding resumes after an upgrade that did not happen
   * @param tap told about the decoded requests (it decodes only responses), or null
   */
  EgressRelay(Channel upstream, Function<String, ChannelHandler> requestHandlers, HttpTap tap) {
    this.upstream = upstream;
    this.requestHandlers = requestHandlers;
    this.tap = tap;
    this.watcher = new UpgradeResponseWatcher(this::upgradeDecided);
  }

  /** Goes on the upstream channel, in front of the relay towards the application. */
  UpgradeResponseWatcher upgradeWatcher() {
    return watcher;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    this.forwarder =
        new RequestForwarder(
            ctx, upstream, watcher, requestHandlers, tap == null ? msg -> {} : tap::forwarded);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    forwarder.forward(msg);
    if (!upstream.isWritable()) {
      ctx.channel().config().setAutoRead(false);
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    upstream.flush();
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (ctx.channel().isWritable()) {
      upstream.config().setAutoRead(true);
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt instanceof ChannelInputShutdownEvent) {
      inputShutdown = true;
      if (!forwarder.awaitingUpgrade()) {
        HalfClose.propagate(ctx.channel(), upstream);
      }
    }
    super.userEventTriggered(ctx, evt);
  }

  private void upgradeDecided(boolean switched) {
    if (!forwarder.upgradeDecided(switched) || !ctx.channel().isActive()) {
      return;
    }
    if (inputShutdown && !forwarder.awaitingUpgrade()) {
      HalfClose.propagate(ctx.channel(), upstream);
    }
    ctx.channel().config().setAutoRead(upstream.isWritable());
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    forwarder.release();
    ByteRelay.closeOnFlush(upstream);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ByteRelay.closeOnFlush(ctx.channel());
  }
}
