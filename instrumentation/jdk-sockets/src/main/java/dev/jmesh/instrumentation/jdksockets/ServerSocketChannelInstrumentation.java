package dev.jmesh.instrumentation.jdksockets;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.jmesh.bootstrap.Hooks;
import dev.jmesh.instrumentation.tooling.AdviceTarget;
import dev.jmesh.instrumentation.tooling.TypeInstrumentation;
import java.net.SocketAddress;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * {@code ServerSocketChannel.bind}: used by the JDK HttpServer, Jetty, Tomcat (NIO), Netty (NIO),
 * Undertow and {@code ServerSocketChannel.socket().bind()}.
 */
final class ServerSocketChannelInstrumentation implements TypeInstrumentation {

  @Override
  public ElementMatcher<TypeDescription> typeMatcher() {
    return named("sun.nio.ch.ServerSocketChannelImpl");
  }

  @Override
  public void transform(AdviceTarget target) {
    target.applyAdvice(
        named("bind").and(takesArguments(2)).and(takesArgument(0, SocketAddress.class)),
        BindAdvice.class.getName());
  }

  @SuppressWarnings("unused")
  static final class BindAdvice {
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
}
