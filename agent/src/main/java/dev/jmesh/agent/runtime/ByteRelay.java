package dev.jmesh.agent.runtime;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;

/**
 * Forwards everything one channel reads to another, with backpressure: when the other channel's
 * outbound buffer is full this channel stops reading until it drains (the idea of Netty's
 * HexDumpProxy example, driven by writability). A half-close is passed on ({@link HalfClose});
 * closing either side closes the other once pending writes are flushed.
 */
public final class ByteRelay extends ChannelInboundHandlerAdapter {

  private final Channel to;

  public ByteRelay(Channel to) {
    this.to = to;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    to.write(msg);
    if (!to.isWritable()) {
      ctx.channel().config().setAutoRead(false);
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    to.flush();
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (ctx.channel().isWritable()) {
      to.config().setAutoRead(true);
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt instanceof ChannelInputShutdownEvent) {
      HalfClose.propagate(ctx.channel(), to);
    }
    super.userEventTriggered(ctx, evt);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    closeOnFlush(to);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    closeOnFlush(ctx.channel());
  }

  public static void closeOnFlush(Channel channel) {
    if (channel.isActive()) {
      channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    } else {
      channel.close();
    }
  }
}
