package dev.jmesh.agent.runtime;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslHandler;

/**
 * Passes a half-close through a relay: when one side stops sending, the other side's output is
 * finished (after pending writes, with a TLS close_notify first) while replies still flow back. A
 * channel whose input and output are both shut is closed.
 */
public final class HalfClose {

  private HalfClose() {}

  /** {@code from} will send no more: finish {@code to}'s output. */
  public static void propagate(Channel from, Channel to) {
    if (from instanceof SocketChannel source && source.isOutputShutdown()) {
      from.close();
    }
    if (!to.isActive()) {
      return;
    }
    to.writeAndFlush(Unpooled.EMPTY_BUFFER)
        .addListener(
            f -> {
              SslHandler ssl = to.pipeline().get(SslHandler.class);
              if (ssl != null) {
                ssl.closeOutbound().addListener(x -> shutdownOutput(to));
              } else {
                shutdownOutput(to);
              }
            });
  }

  private static void shutdownOutput(Channel channel) {
    if (!(channel instanceof SocketChannel socket) || !socket.isActive()) {
      return;
    }
    if (socket.isInputShutdown()) {
      socket.close();
    } else {
      socket.shutdownOutput();
    }
  }
}
