package dev.jmesh.agent.inbound;

import dev.jmesh.agent.http.RequestForwarder;
import dev.jmesh.agent.http.UpgradeResponseWatcher;
import dev.jmesh.agent.runtime.ByteRelay;
import dev.jmesh.agent.runtime.HalfClose;
import dev.jmesh.agent.runtime.IoTransport;
import dev.jmesh.agent.telemetry.HttpTap;
import dev.jmesh.agent.telemetry.Telemetry;
import dev.jmesh.agent.tls.PeerIdentity;
import dev.jmesh.agent.tracing.RequestSpans;
import dev.jmesh.bootstrap.AgentLog;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import javax.net.ssl.SSLException;

/**
 * The last handler of an accepted connection: once the connection is secured (TLS handshake done,
 * or plaintext allowed) it connects to the application's loopback port and pipes both ways.
 * Messages that arrive before that connection is up are held. Decoded HTTP/1 requests are encoded
 * again towards the application; after a request asking to upgrade, what the client sends is held
 * until the application answers: a switch (101) makes the rest raw, anything else resumes decoding.
 */
final class AppRelay extends ChannelInboundHandlerAdapter {

  static final AttributeKey<PeerIdentity> PEER = AttributeKey.valueOf("jmesh.peer");
  private static final String TAP = "jmesh-tap";

  private final InetSocketAddress app;
  private final boolean waitForHandshake;
  private final Consumer<PeerIdentity> onSecured;
  private final Function<String, ChannelHandler> requestHandlers;
  private final Telemetry telemetry;
  private final RequestSpans spans;
  private final List<Object> pending = new ArrayList<>();
  private ChannelHandlerContext ctx;
  private Channel backend;
  private RequestForwarder forwarder;
  private HttpTap tap;
  private boolean connected;
  private boolean inputShutdown;

  /**
   * @param waitForHandshake whether a TLS handshake (or the decision to do one) comes first
   * @param onSecured told the peer (null for plaintext) once the connection is allowed through
   * @param requestHandlers makes the handler after a request decoder of the given name, when
   *     decoding resumes after an upgrade that did not happen
   * @param telemetry where the connection's metrics and access-log lines go; null for none
   * @param spans the server spans of this connection's requests, in order; null without tracing
   */
  AppRelay(
      InetSocketAddress app,
      boolean waitForHandshake,
      Consumer<PeerIdentity> onSecured,
      Function<String, ChannelHandler> requestHandlers,
      Telemetry telemetry,
      RequestSpans spans) {
    this.app = app;
    this.waitForHandshake = waitForHandshake;
    this.onSecured = onSecured;
    this.requestHandlers = requestHandlers;
    this.telemetry = telemetry;
    this.spans = spans;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    if (!waitForHandshake) {
      secured(ctx, null);
    }
  }

  /** Fired by {@link TlsDetector} when a PERMISSIVE connection turns out to be plaintext. */
  enum PlaintextDetected {
    INSTANCE
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof SslHandshakeCompletionEvent handshake) {
      if (!handshake.isSuccess()) {
        AgentLog.debug(
            "inbound TLS handshake from "
                + ctx.channel().remoteAddress()
                + " failed: "
                + handshake.cause());
        ctx.close();
        return;
      }
      try {
        PeerIdentity peer =
            PeerIdentity.of(ctx.pipeline().get(SslHandler.class).engine().getSession());
        ctx.channel().attr(PEER).set(peer);
        secured(ctx, peer);
      } catch (SSLException | IllegalArgumentException e) {
        ctx.close();
      }
    } else if (evt instanceof ChannelInputShutdownEvent) {
      inputShutdown = true;
      if (connected && !forwarder.awaitingUpgrade()) {
        HalfClose.propagate(ctx.channel(), backend);
      }
    } else if (evt == PlaintextDetected.INSTANCE) {
      secured(ctx, null);
    } else {
      ctx.fireUserEventTriggered(evt);
    }
  }

  private void secured(ChannelHandlerContext ctx, PeerIdentity peer) {
    if (backend != null) {
      return;
    }
    onSecured.accept(peer);
    Channel frontend = ctx.channel();
    UpgradeResponseWatcher upgradeWatcher = new UpgradeResponseWatcher(this::upgradeDecided);
    ChannelFuture connect =
        new Bootstrap()
            .group(frontend.eventLoop())
            .channel(IoTransport.socketChannel(frontend.eventLoop()))
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5000)
            .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
            .handler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    if (telemetry != null) {
                      // First, so that it sees the bytes the application reads and writes.
                      tap = new HttpTap(telemetry, false, HttpTap.hostPort(frontend.remoteAddress()));
                      tap.endSpans(spans);
                      // The relay decodes the client's requests; the tap uses those.
                      ch.pipeline().addLast(TAP, tap);
                    }
                    ch.pipeline().addLast(upgradeWatcher, new ByteRelay(frontend));
                  }
                })
            .connect(app);
    backend = connect.channel();
    forwarder =
        new RequestForwarder(
            ctx,
            backend,
            upgradeWatcher,
            requestHandlers,
            msg -> {
              if (tap != null) {
                tap.forwarded(msg);
              }
            });
    connect.addListener(
        f -> {
          if (!frontend.isActive()) {
            backend.close();
            releasePending();
            return;
          }
          if (!f.isSuccess() && frontend.eventLoop().isShuttingDown()) {
            releasePending();
            frontend.close();
            return;
          }
          if (!f.isSuccess()) {
            AgentLog.warnOnce(
                "inbound-app:" + app,
                "cannot connect to the application at "
                    + app
                    + ": "
                    + f.cause().getMessage()
                    + "; closing the client's connection");
            if (spans != null) {
              spans.abandonAll("UF");
            }
            releasePending();
            frontend.close();
            return;
          }
          connected = true;
          if (tap != null) {
            tap.opened(
                telemetry.inbound(peer == null ? null : peer.spiffeId()), app);
          }
          for (Object msg : pending) {
            forward(msg);
          }
          pending.clear();
          backend.flush();
          if (inputShutdown && !forwarder.awaitingUpgrade()) {
            HalfClose.propagate(frontend, backend);
          }
          if (backend.isWritable()) {
            frontend.config().setAutoRead(true);
          }
        });
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (connected) {
      forward(msg);
      if (!backend.isWritable()) {
        ctx.channel().config().setAutoRead(false);
      }
    } else {
      pending.add(msg);
      ctx.channel().config().setAutoRead(false);
    }
  }

  private void forward(Object msg) {
    forwarder.forward(msg);
  }

  /** The application answered the upgrade request: raw from here on, or back to decoding. */
  private void upgradeDecided(boolean switched) {
    if (!forwarder.upgradeDecided(switched) || !ctx.channel().isActive()) {
      return;
    }
    if (inputShutdown && !forwarder.awaitingUpgrade()) {
      HalfClose.propagate(ctx.channel(), backend);
    }
    ctx.channel().config().setAutoRead(backend.isWritable());
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (connected) {
      backend.flush();
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (ctx.channel().isWritable() && backend != null) {
      backend.config().setAutoRead(true);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    releasePending();
    if (spans != null && !connected) {
      // Requests that never reached the application; once connected, the tap ends them.
      spans.abandonAll("DC");
    }
    if (backend != null) {
      ByteRelay.closeOnFlush(backend);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    AgentLog.debug("inbound connection from " + ctx.channel().remoteAddress() + ": " + cause);
    ctx.close();
  }

  private void releasePending() {
    for (Object msg : pending) {
      ReferenceCountUtil.release(msg);
    }
    pending.clear();
    if (forwarder != null) {
      forwarder.release();
    }
  }
}
