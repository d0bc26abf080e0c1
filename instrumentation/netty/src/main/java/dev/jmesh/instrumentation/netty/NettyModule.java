package dev.jmesh.instrumentation.netty;

import dev.jmesh.instrumentation.tooling.InstrumentationModule;
import dev.jmesh.instrumentation.tooling.TypeInstrumentation;
import java.util.List;

/**
 * The application's own Netty 4.1 and 4.2 ({@code io.netty}, not the agent's relocated copy):
 * while the handlers of a pipeline read an HTTP request, its context is current, so outbound calls
 * made there (or from tasks handed to JDK executors) carry its trace headers; and its listeners and
 * TCP clients on the native epoll transport, which bind and connect without the JDK, are moved
 * and re-targeted like the JDK's, so that the agent serves their ports and carries their calls to
 * mesh services; and its own DNS resolver answers mesh names as {@code InetAddress} does.
 */
public final class NettyModule implements InstrumentationModule {

  @Override
  public String name() {
    return "netty";
  }

  @Override
  public List<TypeInstrumentation> typeInstrumentations() {
    return List.of(
        new ChannelReadInstrumentation(),
        new FireChannelReadInstrumentation(),
        new EpollListenerInstrumentation(),
        new EpollConnectInstrumentation(),
        new DnsResolverInstrumentation());
  }
}
