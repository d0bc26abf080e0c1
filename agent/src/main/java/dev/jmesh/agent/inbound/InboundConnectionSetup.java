package dev.jmesh.agent.inbound;

import dev.jmesh.agent.http.HttpSniffer;
import dev.jmesh.agent.http.RequestEdit;
import dev.jmesh.agent.http.RequestHeadersHandler;
import dev.jmesh.agent.runtime.RecentConnections;
import dev.jmesh.agent.runtime.StartupDeadline;
import dev.jmesh.agent.tls.PeerIdentity;
import dev.jmesh.agent.tracing.RequestIds;
import dev.jmesh.agent.tracing.RequestSpans;
import dev.jmesh.agent.tracing.Tracing;
import dev.jmesh.bootstrap.AgentLog;
import dev.jmesh.policy.MtlsMode;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.ssl.SslContext;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.function.Function;
import java.util.function.LongConsumer;

/**
 * The first handler of an accepted connection. It holds the connection (reading nothing) until the
 * application's listener is bound and, during start-up, until the first snapshot has arrived; then
 * it looks up the port's mTLS mode and replaces itself with the handlers that mode needs.
 */
final class InboundConnectionSetup extends ChannelInboundHandlerAdapter {

  private final InboundListener listener;
  private final InboundContext context;

  InboundConnectionSetup(InboundListener listener, InboundContext context) {
    this.listener = listener;
    this.context = context;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    StartupDeadline.runWhenDoneOrAfter(
        listener.appAddress(),
        context.appBindTimeout(),
        ctx.executor(),
        () -> {
          InetSocketAddress app = listener.appAddress().getNow(null);
          if (app == null) {
            AgentLog.warnOnce(
                "inbound-no-app:" + listener.requested(),
                "the application has not finished binding "
                    + listener.requested()
                    + "; closing connections to it until it does");
            ctx.close();
            return;
          }
          context
              .deadline()
              .runWhenDoneOrExpired(
                  context.policy().firstSnapshot(), ctx.executor(), () -> decide(ctx, app));
        });
    ctx.fireChannelActive();
  }

  private void decide(ChannelHandlerContext ctx, InetSocketAddress app) {
    if (!ctx.channel().isActive()) {
      return;
    }
    PortDecision decision = context.policy().decide(listener.port());
    if (decision == null) {
      decision = PortDecision.NO_SNAPSHOT;
    }
    if (decision.mode() == MtlsMode.STRICT && context.tls().server() == null) {
      PortDecision strict = decision;
      context
          .deadline()
          .runWhenDoneOrExpired(
              context.firstCertificate(), ctx.executor(), () -> install(ctx, app, strict));
      return;
    }
    install(ctx, app, decision);
  }

  private void install(ChannelHandlerContext ctx, InetSocketAddress app, PortDecision decision) {
    Channel channel = ctx.channel();
    if (!channel.isActive()) {
      return;
    }
    ChannelPipeline pipeline = ctx.pipeline();
    String remote = String.valueOf(channel.remoteAddress());
    MtlsMode mode = decision.mode();
    if (mode == MtlsMode.STRICT) {
      SslContext server = context.tls().server();
      if (server == null) {
        record(remote, null, "refused: STRICT and no workload certificate yet");
        AgentLog.warnOnce(
            "inbound-strict-no-cert",
            "port "
                + listener.port()
                + " is STRICT but the workload has no certificate yet;"
                + " closing inbound connections until it has one");
        channel.close();
        return;
      }
      pipeline.addLast("jmesh-tls", server.newHandler(channel.alloc()));
    } else if (mode == MtlsMode.PERMISSIVE) {
      pipeline.addLast("jmesh-detect", new TlsDetector(() -> context.tls().server()));
    }
    Tracing tracing = context.telemetry() == null ? null : context.telemetry().tracing();
    RequestSpans spans = tracing == null ? null : new RequestSpans();
    LongConsumer processing =
        context.telemetry() == null
            ? nanos -> {}
            : context.telemetry().metrics().requestProcessing(true);
    Function<String, ChannelHandler> requestHandlers =
        decoderName -> {
          PeerIdentity peer = channel.attr(AppRelay.PEER).get();
          RequestEdit edit =
              new ForwardedClientCert(
                      peer == null ? null : context.tls().localSpiffeId(),
                      peer == null ? null : peer.spiffeId().toString())
                  .andThen(
                      tracing == null
                          ? RequestIds::ensure
                          : tracing.serverSpans(spans, channel.remoteAddress(), listener.port()));
          return new RequestHeadersHandler(edit, decoderName, processing);
        };
    pipeline.addLast("jmesh-sniff", new HttpSniffer(requestHandlers));
    pipeline.addLast(
        "jmesh-app",
        new AppRelay(
            app,
            mode != MtlsMode.DISABLE,
            peer -> record(remote, peer, security(peer)),
            requestHandlers,
            context.telemetry(),
            spans));
    pipeline.remove(this);
    channel.config().setAutoRead(true);
  }

  private static String security(PeerIdentity peer) {
    return peer == null ? "none" : "mutual_tls";
  }

  private void record(String remote, PeerIdentity peer, String security) {
    context
        .connections()
        .add(
            new RecentConnections.Entry(
                Instant.now(),
                String.valueOf(listener.port()),
                remote,
                peer == null ? null : peer.spiffeId().toString(),
                peer == null ? null : peer.protocol(),
                peer == null ? null : peer.cipherSuite(),
                security));
  }
}
