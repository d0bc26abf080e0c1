package dev.jmesh.instrumentation.netty;

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
 * {@code EpollSocketChannel.doConnect0(SocketAddress)}: a TCP client on Netty's native epoll
 * transport (Reactor Netty's and gRPC's clients on Linux) connects through Linux, never through
 * the JDK's {@code SocketChannel}, so a mesh name it resolved (to the agent's loopback address for
 * the service) would be connected to directly and refused. The connect is re-targeted to the
 * agent's egress as the JDK's are. Only the TCP client channel declares this method; datagram
 * channels are left alone. In any copy of Netty but the agent's ({@link NettyCopies}).
 */
final class EpollConnectInstrumentation implements TypeInstrumentation {

  @Override
  public ElementMatcher<TypeDescription> typeMatcher() {
    return NettyCopies.anyCopyOf("channel.epoll.EpollSocketChannel");
  }

  @Override
  public void transform(AdviceTarget target) {
    target.applyAdvice(
        named("doConnect0").and(takesArguments(1)).and(takesArgument(0, SocketAddress.class)),
        ConnectTargetAdvice.class.getName());
  }
}
