package dev.jmesh.instrumentation.jdksockets;

import static net.bytebuddy.matcher.ElementMatchers.isStatic;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.jmesh.bootstrap.Hooks;
import dev.jmesh.instrumentation.tooling.AdviceTarget;
import dev.jmesh.instrumentation.tooling.TypeInstrumentation;
import java.net.InetAddress;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * {@code InetAddress.getByName/getAllByName}: mesh names ({@code orders}, {@code
 * orders.shop.svc.cluster.local}) are answered by the agent, so no DNS query leaves the JVM for
 * them and {@code new InetSocketAddress("orders", 80)} comes out resolved, carrying the name.
 */
final class InetAddressInstrumentation implements TypeInstrumentation {

  @Override
  public ElementMatcher<TypeDescription> typeMatcher() {
    return named("java.net.InetAddress");
  }

  @Override
  public void transform(AdviceTarget target) {
    target.applyAdvice(
        isStatic().and(named("getByName")).and(takesArguments(String.class)),
        GetByNameAdvice.class.getName());
    target.applyAdvice(
        isStatic().and(named("getAllByName")).and(takesArguments(String.class)),
        GetAllByNameAdvice.class.getName());
  }

  @SuppressWarnings("unused")
  static final class GetByNameAdvice {
    @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class, suppress = Throwable.class)
    static InetAddress[] enter(@Advice.Argument(0) String host) {
      return Hooks.resolve(host);
    }

    @Advice.OnMethodExit(suppress = Throwable.class)
    static void exit(
        @Advice.Enter InetAddress[] mesh,
        @Advice.Return(readOnly = false) InetAddress result) {
      if (mesh != null) {
        result = mesh[0];
      }
    }
  }

  @SuppressWarnings("unused")
  static final class GetAllByNameAdvice {
    @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class, suppress = Throwable.class)
    static InetAddress[] enter(@Advice.Argument(0) String host) {
      return Hooks.resolve(host);
    }

    @Advice.OnMethodExit(suppress = Throwable.class)
    static void exit(
        @Advice.Enter InetAddress[] mesh,
        @Advice.Return(readOnly = false) InetAddress[] result) {
      if (mesh != null) {
        result = mesh.clone();
      }
    }
  }
}
