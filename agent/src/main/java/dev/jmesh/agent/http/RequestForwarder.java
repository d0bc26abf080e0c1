package dev.jmesh.agent.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Writes what the client side of a relay reads to the other side: decoded HTTP/1 requests are
 * encoded again (an encoder is added at the tail of the other side's pipeline), raw bytes pass as
 * they are. After an {@link UpgradeRequested} everything the client sends is held until {@link
 * #upgradeDecided} says whether the stream turned raw (the encoder goes and held bytes follow) or
 * not (decoding resumes on the client side, fed with what was held). Shared by the inbound relay
 * and the egress.
 */
public final class RequestForwarder {

  private static final String ENCODER = "jmesh-http-encoder";

  private final ChannelHandlerContext relay;
  private final Channel to;
  private final UpgradeResponseWatcher watcher;
  private final Function<String, ChannelHandler> requestHandlers;
  private final Consumer<Object> forwarded;
  private final List<Object> held = new ArrayList<>();
  private boolean awaitingUpgrade;
  private boolean encoding;

  /**
   * @param relay the relay handler on the client side; resumed decoding goes in front of it
   * @param to the other side
   * @param watcher on {@code to}, armed after an upgrade request
   * @param requestHandlers makes the handler that follows a resumed decoder, given its name
   * @param forwarded told each message once it has been written (and encoded); it may have been
   *     released by then, so only its type and headers may be looked at
   */
  public RequestForwarder(
      ChannelHandlerContext relay,
      Channel to,
      UpgradeResponseWatcher watcher,
      Function<String, ChannelHandler> requestHandlers,
      Consumer<Object> forwarded) {
    this.relay = relay;
    this.to = to;
    this.watcher = watcher;
    this.requestHandlers = requestHandlers;
    this.forwarded = forwarded;
  }

  /** Whether an upgrade request is waiting for its answer (what the client sends is held). */
  public boolean awaitingUpgrade() {
    return awaitingUpgrade;
  }

  /** Writes (does not flush) one message the client side read. */
  public void forward(Object msg) {
    if (awaitingUpgrade) {
      held.add(msg);
      relay.channel().config().setAutoRead(false);
      return;
    }
    if (msg instanceof UpgradeRequested upgrade) {
      awaitingUpgrade = true;
      watcher.arm(upgrade.connect());
      return;
    }
    if (!encoding && msg instanceof HttpObject) {
      // added once, not looked up in the pipeline per message
      to.pipeline().addLast(ENCODER, new HttpRequestEncoder());
      encoding = true;
    }
    to.write(msg);
    forwarded.accept(msg);
  }

  /**
   * The other side answered the upgrade request: raw from here on, or back to decoding.
   *
   * @return false when resuming decoding failed and the client side was closed
   */
  public boolean upgradeDecided(boolean switched) {
    awaitingUpgrade = false;
    List<Object> messages = new ArrayList<>(held);
    held.clear();
    if (switched) {
      if (encoding) {
        to.pipeline().remove(ENCODER);
        encoding = false;
      }
      messages.forEach(to::write);
      to.flush();
      return true;
    }
    String decoderName = relay.name() + "-http-decoder";
    HttpRequestDecoder decoder = HttpSniffer.newDecoder();
    relay.pipeline().addBefore(relay.name(), decoderName, decoder);
    relay
        .pipeline()
        .addBefore(relay.name(), relay.name() + "-headers", requestHandlers.apply(decoderName));
    ChannelHandlerContext decoderContext = relay.pipeline().context(decoder);
    try {
      for (Object msg : messages) {
        decoder.channelRead(decoderContext, msg);
      }
      decoder.channelReadComplete(decoderContext);
      return true;
    } catch (Exception e) {
      relay.close();
      return false;
    }
  }

  /** Releases what is held (the connection is closing). */
  public void release() {
    for (Object msg : held) {
      ReferenceCountUtil.release(msg);
    }
    held.clear();
  }
}
