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
 * {@code java.net.ServerSocket.bind}, which the {@code ServerSocket(port)} constructors call too:
 * blocking servers (Tomcat BIO-style, hand-written TCP servers).
 */
final class ServerSocketInstrumentation implements TypeInstrumentation {

  @Override
  public ElementMatcher<TypeDescription> typeMatcher() {
    return named("java.net.ServerSocket");
  }

  @Override
  public void transform(AdviceTarget target) {
    target.applyAdvice(
        named("bind").and(takesArguments(2)).and(takesArgument(0, SocketAddress.class)),
        ListenerBindAdvice.class.getName());
  }
}
