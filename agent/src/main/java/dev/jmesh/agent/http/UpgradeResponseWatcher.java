package dev.jmesh.agent.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * On the application side of a connection: once armed (after a request asking to upgrade), reads
 * the status line of the application's next response and reports whether the upgrade happened (101,
 * or 2xx for CONNECT). The response bytes pass through unchanged.
 */
public final class UpgradeResponseWatcher extends ChannelInboundHandlerAdapter {

  private static final int STATUS_LINE_PREFIX = "HTTP/1.1 101".length();

  private final Consumer<Boolean> decided;
  private boolean armed;
  private boolean connect;
  private CompositeByteBuf held;

  /**
   * @param decided told {@code true} when the application switched protocols
   */
  public UpgradeResponseWatcher(Consumer<Boolean> decided) {
    this.decided = decided;
  }

  public void arm(boolean connectRequest) {
    armed = true;
    connect = connectRequest;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!armed || !(msg instanceof ByteBuf bytes)) {
      ctx.fireChannelRead(msg);
      return;
    }
    if (held == null) {
      held = ctx.alloc().compositeBuffer();
    }
    held.addComponent(true, bytes);
    if (held.readableBytes() < STATUS_LINE_PREFIX) {
      return;
    }
    armed = false;
    int status = statusCode(held);
    boolean switched = status == 101 || (connect && status >= 200 && status < 300);
    ByteBuf response = held;
    held = null;
    ctx.fireChannelRead(response);
    decided.accept(switched);
  }

  /** The status code of an HTTP/1 status line at the start of {@code bytes}, or -1. */
  static int statusCode(ByteBuf bytes) {
    String start =
        bytes.toString(bytes.readerIndex(), STATUS_LINE_PREFIX, StandardCharsets.US_ASCII);
    if (!start.startsWith("HTTP/1.") || start.charAt(8) != ' ') {
      return -1;
    }
    try {
      return Integer.parseInt(start.substring(9, 12));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (held != null) {
      ByteBuf response = held;
      held = null;
      ctx.fireChannelRead(response);
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    if (held != null) {
      held.release();
      held = null;
    }
  }
}
