package dev.jmesh.agent.outbound;

import dev.jmesh.agent.http.HttpSniffer;
import dev.jmesh.agent.http.RequestEdit;
import dev.jmesh.agent.http.RequestHeadersHandler;
import dev.jmesh.agent.runtime.IoTransport;
import dev.jmesh.agent.telemetry.HttpTap;
import dev.jmesh.agent.tracing.RequestIds;
import dev.jmesh.agent.tracing.RequestSpans;
import dev.jmesh.agent.tracing.Tracing;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.SocketChannel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.function.Function;
import java.util.function.LongConsumer;

/**
 * A loopback listener for one mesh service and port. The application's connections to that service
 * are redirected here, and each becomes a mutual-TLS connection to one of its instances.
 */
public final class EgressListener {

  private final ServiceName service;
  private final int port;
  private final Channel serverChannel;

  private EgressListener(ServiceName service, int port, Channel serverChannel) {
    this.service = service;
    this.port = port;
    this.serverChannel = serverChannel;
  }

  static EgressListener bind(ServiceName service, int port, EgressContext context) {
    EndpointPicker picker = new EndpointPicker();
    Channel channel =
        new ServerBootstrap()
            .group(context.acceptors(), context.workers())
            .channel(IoTransport.serverChannel(context.acceptors()))
            .childOption(ChannelOption.AUTO_READ, false)
            .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    HttpTap tap =
                        context.telemetry() == null
                            ? null
                            : new HttpTap(
                                context.telemetry(), true, HttpTap.hostPort(ch.remoteAddress()));
                    Tracing tracing =
                        context.telemetry() == null ? null : context.telemetry().tracing();
                    RequestSpans spans = tracing == null ? null : new RequestSpans();
                    RequestEdit edit =
                        tracing == null
                            ? RequestIds::ensure
                            : tracing.clientSpans(spans, service.service(), port);
                    LongConsumer processing =
                        context.telemetry() == null
                            ? nanos -> {}
                            : context.telemetry().metrics().requestProcessing(false);
                    Function<String, ChannelHandler> requestHandlers =
                        decoder -> new RequestHeadersHandler(edit, decoder, processing);
                    if (tap != null) {
                      // The egress decodes the application's requests itself; the tap uses those.
                      tap.endSpans(spans);
                      ch.pipeline().addLast("jmesh-tap", tap);
                    }
                    ch.pipeline()
                        .addLast("jmesh-sniff", new HttpSniffer(requestHandlers))
                        .addLast(
                            "jmesh-egress",
                            new EgressConnection(
                                service, port, picker, context, tap, requestHandlers));
                  }
                })
            .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
            .syncUninterruptibly()
            .channel();
    return new EgressListener(service, port, channel);
  }

  public ServiceName service() {
    return service;
  }

  public int port() {
    return port;
  }

  public InetSocketAddress address() {
    return (InetSocketAddress) serverChannel.localAddress();
  }

  void close() {
    serverChannel.close().syncUninterruptibly();
  }
}
