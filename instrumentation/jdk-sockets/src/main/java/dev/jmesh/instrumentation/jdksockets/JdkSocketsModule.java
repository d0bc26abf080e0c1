package dev.jmesh.instrumentation.jdksockets;

import dev.jmesh.instrumentation.tooling.InstrumentationModule;
import dev.jmesh.instrumentation.tooling.TypeInstrumentation;
import java.util.List;
import java.util.Set;

/**
 * The JDK's sockets, which every server and client library ends in: listeners are moved at
 * {@code bind()} so the agent serves the original address (inbound mTLS for any server library),
 * connections to mesh services are sent to the agent's egress, and mesh names resolve without DNS.
 */
public final class JdkSocketsModule implements InstrumentationModule {

  @Override
  public String name() {
    return "jdk-sockets";
  }

  @Override
  public List<TypeInstrumentation> typeInstrumentations() {
    return List.of(
        new ServerSocketChannelInstrumentation(),
        new ServerSocketInstrumentation(),
        new SocketChannelInstrumentation(),
        new SocketInstrumentation(),
        new InetAddressInstrumentation());
  }

  @Override
  public Set<String> jdkModules() {
    return Set.of("java.base");
  }
}
