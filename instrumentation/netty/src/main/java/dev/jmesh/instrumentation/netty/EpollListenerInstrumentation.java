package dev.jmesh.instrumentation.netty;

import static net.bytebuddy.matcher.ElementMatchers.nameEndsWith;
import static net.bytebuddy.matcher.ElementMatchers.nameStartsWith;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.jmesh.instrumentation.tooling.AdviceTarget;
import dev.jmesh.instrumentation.tooling.ListenerBindAdvice;
import dev.jmesh.instrumentation.tooling.TypeInstrumentation;
import java.net.SocketAddress;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * {@code EpollServerSocketChannel.doBind(SocketAddress)}: a listener on Netty's native epoll
 * transport binds through Linux directly, never through the JDK's {@code ServerSocketChannel}, so
 * without this the application's port would not be meshed at all (and STRICT would not be
 * enforced on it). The same advice as for the JDK's listeners moves it.
 *
 * <p>Matched by the end of the class name, so that copies of Netty relocated into other libraries
 * ({@code io.grpc.netty.shaded.io.netty…} in grpc-netty-shaded, see the smoke tests' {@code
 * GrpcSmokeTest}) match too; the agent's own relocated Netty does not. Netty's kqueue and io_uring transports are not covered yet.
 */
final class EpollListenerInstrumentation implements TypeInstrumentation {

  @Override
  public ElementMatcher<TypeDescription> typeMatcher() {
    return anyCopyOf("EpollServerSocketChannel");
  }

  /**
   * Netty's epoll class {@code simpleName} in the application's Netty or in a copy relocated into
   * another library (the package ends the same), never in the agent's own.
   */
  static ElementMatcher.Junction<TypeDescription> anyCopyOf(String simpleName) {
    return nameEndsWith(".netty.channel.epoll." + simpleName).and(not(nameStartsWith("dev.jmesh.")));
  }

  @Override
  public void transform(AdviceTarget target) {
    target.applyAdvice(
        named("doBind").and(takesArguments(1)).and(takesArgument(0, SocketAddress.class)),
        ListenerBindAdvice.class.getName());
  }
}
