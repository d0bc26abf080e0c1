package dev.jmesh.control.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.TooLongHttpContentException;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateEvent;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.net.ssl.SSLEngine;

/**
 * The calls of one connection, handled one at a time and answered in the order they came (HTTP/1.1
 * pipelining): a call goes to the handler threads, and the next is taken only once the previous
 * answer is written. While a call is open the connection is not read, so a client that sends more
 * than it waits for is held back by TCP rather than by the server's memory.
 *
 * <p>All fields are touched on the connection's event loop only; {@link #answer} may be called from
 * any thread and hops onto it.
 */
final class CallSequence extends SimpleChannelInboundHandler<FullHttpRequest> {

  private static final Logger LOG = Logger.getLogger(CallSequence.class.getName());

  private final ApiDispatcher dispatcher;
  private final Executor handlers;
  private final Queue<FullHttpRequest> waiting = new ArrayDeque<>();
  private Channel channel;
  private SSLEngine tls;
  private boolean callOpen;

  CallSequence(ApiDispatcher dispatcher, Executor handlers) {
    this.dispatcher = dispatcher;
    this.handlers = handlers;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext context) {
    channel = context.channel();
    tls = channel.pipeline().get(SslHandler.class).engine();
  }

  @Override
  protected void channelRead0(ChannelHandlerContext context, FullHttpRequest request) {
    channel.config().setAutoRead(false);
    waiting.add(request.retain());
    startNextCall();
  }

  private void startNextCall() {
    if (callOpen) {
      return;
    }
    FullHttpRequest request = waiting.poll();
    if (request == null) {
      channel.config().setAutoRead(true);
      return;
    }
    callOpen = true;
    Exchange exchange;
    try {
      if (request.decoderResult().isFailure()) {
        refuse(request);
        return;
      }
      exchange =
          new Exchange(request, tls.getSession(), (InetSocketAddress) channel.remoteAddress(), this);
    } finally {
      request.release();
    }
    try {
      handlers.execute(() -> dispatcher.dispatch(exchange));
    } catch (RejectedExecutionException e) {
      exchange.respond(
          ApiResponse.error(
              503,
              "the control server is stopping or has too many calls queued; retry "
                  + exchange.method()
                  + " "
                  + exchange.rawPath()
                  + " later"));
    }
  }

  /**
   * A request that could not be read gets one answer naming why — 413 for a body over the limit,
   * 400 for anything Netty could not parse — and the connection is closed.
   */
  private void refuse(FullHttpRequest request) {
    Throwable cause = request.decoderResult().cause();
    String why = cause.getMessage() == null ? cause.toString() : cause.getMessage();
    ApiResponse refusal =
        cause instanceof TooLongHttpContentException
            ? ApiResponse.error(413, why)
            : ApiResponse.error(400, "malformed HTTP request: " + why);
    channel
        .writeAndFlush(Exchange.encode(refusal, request.protocolVersion(), false))
        .addListener(ChannelFutureListener.CLOSE);
  }

  /** Writes the open call's answer, then takes the next call (or closes the connection). */
  void answer(FullHttpResponse response, boolean keepAlive) {
    channel
        .writeAndFlush(response)
        .addListener(
            (ChannelFutureListener)
                written -> {
                  if (!keepAlive || !written.isSuccess()) {
                    written.channel().close();
                    return;
                  }
                  callOpen = false;
                  startNextCall();
                });
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext context, Object event) throws Exception {
    if (event instanceof IdleStateEvent) {
      // A parked long poll is a call in progress, not an idle connection.
      if (!callOpen) {
        context.close();
      }
      return;
    }
    super.userEventTriggered(context, event);
  }

  @Override
  public void channelInactive(ChannelHandlerContext context) throws Exception {
    FullHttpRequest request;
    while ((request = waiting.poll()) != null) {
      request.release();
    }
    super.channelInactive(context);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
    // Failed handshakes, resets and garbage are the client's business: close, note it quietly.
    LOG.log(Level.FINE, "closing connection from " + context.channel().remoteAddress(), cause);
    context.close();
  }

}
