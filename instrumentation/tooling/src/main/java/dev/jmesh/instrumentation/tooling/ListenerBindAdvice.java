package dev.jmesh.instrumentation.tooling;

import dev.jmesh.bootstrap.Hooks;
import java.net.SocketAddress;
import net.bytebuddy.asm.Advice;

/**
 * The advice for every way an application binds a listener (the JDK's {@code ServerSocketChannel}
 * and {@code ServerSocket}, Netty's native transports): on a method whose first argument is the
 * local address, the inbound hook may replace that address (the agent then serves the one asked
 * for and the application listens where the hook said), and after the bind the hook learns where
 * the application's listener ended up, or that its bind failed.
 */
@SuppressWarnings("unused")
public final class ListenerBindAdvice {

  private ListenerBindAdvice() {}

  @Advice.OnMethodEnter(suppress = Throwable.class)
  static SocketAddress enter(
      @Advice.This Object listener,
      @Advice.Argument(value = 0, readOnly = false) SocketAddress local) {
    SocketAddress requested = local;
    local = Hooks.beforeBind(listener, requested);
    return local == requested ? null : requested;
  }

  @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
  static void exit(
      @Advice.This Object listener,
      @Advice.Enter SocketAddress requested,
      @Advice.Thrown Throwable failure) {
    if (requested != null) {
      Hooks.afterBind(listener, requested, failure);
    }
  }
}
