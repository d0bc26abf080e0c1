package dev.jmesh.instrumentation.netty;

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
 * {@code EpollServerSocketChannel.doBind(SocketAddress)}: a listener on Netty's native epoll
 * transport binds through Linux directly, never through the JDK's {@code ServerSocketChannel}, so
 * without this the application's port would not be meshed at all (and STRICT would not be
 * enforced on it). The same advice as for the JDK's listeners moves it.
 *
 * <p>In any copy of Netty but the agent's ({@link NettyCopies}): grpc-netty-shaded's too, see the
 * smoke tests' {@code GrpcSmokeTest}. Netty's kqueue and io_uring transports are not covered yet.
 */
final class EpollListenerInstrumentation implements TypeInstrumentation {

  @Override
  public ElementMatcher<TypeDescription> typeMatcher() {
    return NettyCopies.anyCopyOf("channel.epoll.EpollServerSocketChannel");
  }

  @Override
  public void transform(AdviceTarget target) {
    target.applyAdvice(
        named("doBind").and(takesArguments(1)).and(takesArgument(0, SocketAddress.class)),
        ListenerBindAdvice.class.getName());
  }
}
