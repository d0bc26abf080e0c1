package dev.jmesh.instrumentation.jdksockets;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.jmesh.instrumentation.tooling.AdviceTarget;
import dev.jmesh.instrumentation.tooling.ConnectTargetAdvice;
import dev.jmesh.instrumentation.tooling.TypeInstrumentation;
import java.net.SocketAddress;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * {@code SocketChannel.connect}: the JDK HttpClient, Netty (NIO), Jetty's and Apache's async
 * clients, and anything built on NIO channels.
 */
final class SocketChannelInstrumentation implements TypeInstrumentation {

  @Override
  public ElementMatcher<TypeDescription> typeMatcher() {
    return named("sun.nio.ch.SocketChannelImpl");
  }

  @Override
  public void transform(AdviceTarget target) {
    target.applyAdvice(
        named("connect").and(takesArguments(1)).and(takesArgument(0, SocketAddress.class)),
        ConnectTargetAdvice.class.getName());
  }
}
