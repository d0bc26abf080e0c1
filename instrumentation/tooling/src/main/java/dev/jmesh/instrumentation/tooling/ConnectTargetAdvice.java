package dev.jmesh.instrumentation.tooling;

import dev.jmesh.bootstrap.Hooks;
import java.net.SocketAddress;
import net.bytebuddy.asm.Advice;

/**
 * The advice for every way an application opens a TCP connection (the JDK's {@code SocketChannel}
 * and {@code Socket}, Netty's native transports): on a method whose first argument is the remote
 * address, the outbound hook may replace it, so that a connection to a mesh service goes to the
 * agent's egress for that service instead.
 */
@SuppressWarnings("unused")
public final class ConnectTargetAdvice {

  private ConnectTargetAdvice() {}

  @Advice.OnMethodEnter(suppress = Throwable.class)
  static void enter(@Advice.Argument(value = 0, readOnly = false) SocketAddress remote) {
    remote = Hooks.beforeConnect(remote);
  }
}
