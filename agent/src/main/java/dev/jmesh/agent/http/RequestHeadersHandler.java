package dev.jmesh.agent.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.function.LongConsumer;

/**
 * Follows the request decoder: applies the agent's {@link RequestEdit} to every decoded request
 * and closes the connection on one that does not decode. After a request that asks to upgrade the
 * connection (WebSocket, h2c, CONNECT) this handler and the decoder step aside and an {@link
 * UpgradeRequested} goes to the relay, which holds what follows until the answer shows whether the
 * upgrade happened (then the stream is piped raw) or not (then decoding resumes).
 *
 * <p>It times the agent's own work on each request: from the decoded head to the return of the
 * relay that handed it on (the edit, span start, the write into the other side's pipeline),
 * reported in nanoseconds to {@code processingNanos}.
 */
public final class RequestHeadersHandler extends ChannelInboundHandlerAdapter {

  private final RequestEdit edit;
  private final String decoderName;
  private final LongConsumer processingNanos;
  private boolean upgrading;
  private boolean connect;

  /**
   * @param processingNanos told, for each request, the nanoseconds from its decoded head to the
   *     relay having handed it on
   */
  public RequestHeadersHandler(
      RequestEdit edit, String decoderName, LongConsumer processingNanos) {
    this.edit = edit;
    this.decoderName = decoderName;
    this.processingNanos = processingNanos;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    long start = 0;
    boolean head = msg instanceof HttpRequest;
    if (head) {
      start = System.nanoTime();
      HttpRequest request = (HttpRequest) msg;
      if (request.decoderResult().isFailure()) {
        ReferenceCountUtil.release(msg);
        ctx.close();
        return;
      }
      edit.edit(request);
      connect = HttpMethod.CONNECT.equals(request.method());
      upgrading = connect || request.headers().contains(HttpHeaderNames.UPGRADE);
    }
    boolean last = msg instanceof LastHttpContent;
    ctx.fireChannelRead(msg);
    if (head) {
      processingNanos.accept(System.nanoTime() - start);
    }
    if (upgrading && last && !ctx.isRemoved()) {
      ctx.fireChannelRead(new UpgradeRequested(connect));
      ctx.pipeline().remove(decoderName);
      ctx.pipeline().remove(this);
    }
  }
}
