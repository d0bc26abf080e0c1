package dev.jmesh.agent.outbound;

import dev.jmesh.agent.runtime.ByteRelay;
import dev.jmesh.agent.runtime.IoTransport;
import dev.jmesh.agent.runtime.RecentConnections;
import dev.jmesh.agent.runtime.StartupDeadline;
import dev.jmesh.agent.telemetry.HttpTap;
import dev.jmesh.agent.tls.PeerIdentity;
import dev.jmesh.api.ServiceInstance;
import dev.jmesh.bootstrap.AgentLog;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * One application connection to a mesh service: waits (during start-up) for the certificate and the
 * first snapshot, picks an instance, connects to it over mutual TLS, checks that it is the service
 * it should be, then relays both ways ({@link EgressRelay}: HTTP/1 requests decoded and encoded
 * again, with their trace headers rewritten; anything else raw).
 */
final class EgressConnection extends ChannelInboundHandlerAdapter {

  private final ServiceName service;
  private final int port;
  private final EndpointPicker picker;
  private final EgressContext context;
  private final HttpTap tap;
  private final Function<String, ChannelHandler> requestHandlers;
  private ServiceInstance instance;

  /** How long a connection waits for an instance when the service has none right now. */
  private static final Duration NO_INSTANCE_WAIT = Duration.ofSeconds(3);

  private Channel upstream;
  private Instant waitForInstanceUntil;

  /**
   * @param tap counts this connection's traffic, or null for no telemetry
   * @param requestHandlers makes the handler after a request decoder of the given name
   */
  EgressConnection(
      ServiceName service,
      int port,
      EndpointPicker picker,
      EgressContext context,
      HttpTap tap,
      Function<String, ChannelHandler> requestHandlers) {
    this.service = service;
    this.port = port;
    this.picker = picker;
    this.context = context;
    this.tap = tap;
    this.requestHandlers = requestHandlers;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    CompletableFuture<?> ready =
        CompletableFuture.allOf(context.firstCertificate(), context.directory().firstSnapshot());
    context.deadline().runWhenDoneOrExpired(ready, ctx.executor(), () -> connect(ctx));
  }

  private void connect(ChannelHandlerContext ctx) {
    Channel app = ctx.channel();
    if (!app.isActive()) {
      return;
    }
    SslContext client = context.tls().client();
    if (client == null) {
      refuse(ctx, null, "no-cert", "the workload has no certificate yet");
      return;
    }
    CompletableFuture<?> nextSnapshot = context.directory().nextSnapshot();
    List<ServiceInstance> instances =
        context.directory().instances(service.namespace(), service.service());
    EndpointPicker.Endpoint chosen = picker.pick(instances, port);
    InetSocketAddress endpoint = chosen == null ? null : chosen.address();
    if (endpoint == null && instances.isEmpty()) {
      Instant now = Instant.now();
      if (waitForInstanceUntil == null) {
        waitForInstanceUntil = now.plus(NO_INSTANCE_WAIT);
      }
      if (now.isBefore(waitForInstanceUntil)) {
        // An instance that is re-registering shows up again in one of the next snapshots.
        StartupDeadline.runWhenDoneOrAfter(
            nextSnapshot,
            Duration.between(now, waitForInstanceUntil),
            ctx.executor(),
            () -> connect(ctx));
        return;
      }
    }
    if (endpoint == null) {
      failed("NR");
      refuse(ctx, null, "no-instance", "no live instance serves port " + port);
      return;
    }
    instance = chosen.instance();
    String expected = service.spiffeId(context.directory().trustDomain());
    upstream =
        new Bootstrap()
            .group(app.eventLoop())
            .channel(IoTransport.socketChannel(app.eventLoop()))
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5000)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
            .handler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ch.pipeline()
                        .addLast(
                            client.newHandler(
                                ch.alloc(), endpoint.getHostString(), endpoint.getPort()),
                            new UpstreamHandshake(ctx, endpoint, expected));
                  }
                })
            .connect(endpoint)
            .addListener(
                f -> {
                  if (!f.isSuccess()) {
                    failed("UF");
                    refuse(
                        ctx,
                        endpoint,
                        "connect:" + endpoint,
                        "cannot connect to " + endpoint + ": " + f.cause().getMessage());
                  }
                })
            .channel();
  }

  /** Checks the server's identity once its handshake is done, then starts piping. */
  private final class UpstreamHandshake extends ChannelInboundHandlerAdapter {
    private final ChannelHandlerContext app;
    private final InetSocketAddress endpoint;
    private final String expected;

    UpstreamHandshake(ChannelHandlerContext app, InetSocketAddress endpoint, String expected) {
      this.app = app;
      this.endpoint = endpoint;
      this.expected = expected;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
      if (!(evt instanceof SslHandshakeCompletionEvent handshake)) {
        super.userEventTriggered(ctx, evt);
        return;
      }
      if (!handshake.isSuccess()) {
        failed("UF");
        refuse(
            app,
            endpoint,
            "tls:" + endpoint,
            "the TLS handshake with " + endpoint + " failed: " + handshake.cause().getMessage());
        ctx.close();
        return;
      }
      PeerIdentity peer;
      try {
        peer = PeerIdentity.of(ctx.pipeline().get(SslHandler.class).engine().getSession());
      } catch (Exception e) {
        refuse(app, endpoint, "tls:" + endpoint, "the peer at " + endpoint + " has no identity");
        ctx.close();
        return;
      }
      if (!peer.spiffeId().toString().equals(expected)) {
        refuse(
            app,
            endpoint,
            "identity:" + endpoint,
            endpoint + " presented " + peer.spiffeId() + ", expected " + expected);
        ctx.close();
        return;
      }
      record(endpoint, peer, "mutual_tls");
      if (tap != null) {
        tap.opened(
            context
                .telemetry()
                .outbound(
                    service.service(), service.namespace(), instance, peer.spiffeId().toString()),
            endpoint);
      }
      Channel appChannel = app.channel();
      EgressRelay relay = new EgressRelay(ctx.channel(), requestHandlers, tap);
      ctx.pipeline().replace(this, "jmesh-relay", new ByteRelay(appChannel));
      ctx.pipeline().addBefore("jmesh-relay", "jmesh-upgrade", relay.upgradeWatcher());
      app.pipeline().replace(EgressConnection.this, "jmesh-relay", relay);
      appChannel.config().setAutoRead(true);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      app.close();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (upstream != null) {
      upstream.close();
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }

  /** Counts a connection that never reached an instance, with Envoy's flag for why. */
  private void failed(String responseFlags) {
    if (tap != null) {
      tap.failed(
          context.telemetry().outbound(service.service(), service.namespace(), instance, null),
          responseFlags);
    }
  }

  private void refuse(
      ChannelHandlerContext ctx, InetSocketAddress endpoint, String cause, String why) {
    AgentLog.warnOnce(
        "egress:" + service + ":" + port + ":" + cause,
        "closing a connection to mesh service " + service + " port " + port + ": " + why);
    record(endpoint, null, "refused: " + why);
    ctx.close();
  }

  private void record(InetSocketAddress endpoint, PeerIdentity peer, String security) {
    context
        .connections()
        .add(
            new RecentConnections.Entry(
                Instant.now(),
                service.fqdn(context.directory().trustDomain()) + ":" + port,
                endpoint == null ? null : endpoint.getHostString() + ":" + endpoint.getPort(),
                peer == null ? null : peer.spiffeId().toString(),
                peer == null ? null : peer.protocol(),
                peer == null ? null : peer.cipherSuite(),
                security));
  }
}
