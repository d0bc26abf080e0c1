package dev.jmesh.instrumentation.jdksockets;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.jmesh.instrumentation.tooling.AdviceTarget;
import dev.jmesh.instrumentation.tooling.ListenerBindAdvice;
import dev.jmesh.instrumentation.tooling.TypeInstrumentation;
import java.net.SocketAddress;
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
        ListenerBindAdvice.class.getName());
  }
}
