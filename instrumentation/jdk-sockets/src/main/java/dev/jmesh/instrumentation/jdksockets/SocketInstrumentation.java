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
 * {@code java.net.Socket.connect(SocketAddress, int)}: HttpURLConnection, OkHttp, Apache
 * HttpClient (classic) and other blocking clients. Rewritten before the socket checks the address,
 * so an unresolved mesh name does not fail with {@code UnknownHostException}.
 */
final class SocketInstrumentation implements TypeInstrumentation {

  @Override
  public ElementMatcher<TypeDescription> typeMatcher() {
    return named("java.net.Socket");
  }

  @Override
  public void transform(AdviceTarget target) {
    target.applyAdvice(
        named("connect").and(takesArguments(2)).and(takesArgument(0, SocketAddress.class)),
        ConnectTargetAdvice.class.getName());
  }
}
