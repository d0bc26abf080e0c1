package dev.jmesh.instrumentation.netty;

import static net.bytebuddy.matcher.ElementMatchers.isStatic;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import dev.jmesh.bootstrap.NettyDns;
import dev.jmesh.instrumentation.tooling.AdviceTarget;
import dev.jmesh.instrumentation.tooling.TypeInstrumentation;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * Netty's {@code DnsNameResolver.doResolve} and {@code doResolveAll} (the four-argument forms,
 * which every look-up goes through): a mesh name is answered by the agent (see {@link NettyDns})
 * and the resolver sends no query for it. Reactor Netty's clients resolve with this resolver by
 * default, not with {@code InetAddress}; without this a mesh name would go to the DNS servers and
 * fail there. In any copy of Netty but the agent's ({@link NettyCopies}).
 */
final class DnsResolverInstrumentation implements TypeInstrumentation {

  @Override
  public ElementMatcher<TypeDescription> typeMatcher() {
    return NettyCopies.anyCopyOf("resolver.dns.DnsNameResolver");
  }

  @Override
  public void transform(AdviceTarget target) {
    target.applyAdvice(lookUp("doResolve"), ResolveAdvice.class.getName());
    target.applyAdvice(lookUp("doResolveAll"), ResolveAllAdvice.class.getName());
  }

  /** {@code name(String host, DnsRecord[] additionals, Promise promise, DnsCache cache)}. */
  private static ElementMatcher.Junction<MethodDescription> lookUp(String name) {
    return named(name)
        .and(takesArguments(4))
        .and(takesArgument(0, String.class))
        .and(not(isStatic()));
  }

  @SuppressWarnings("unused")
  static final class ResolveAdvice {
    private ResolveAdvice() {}

    @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class, suppress = Throwable.class)
    static boolean enter(@Advice.Argument(0) String host, @Advice.Argument(2) Object promise) {
      return NettyDns.answer(host, promise, false);
    }
  }

  @SuppressWarnings("unused")
  static final class ResolveAllAdvice {
    private ResolveAllAdvice() {}

    @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class, suppress = Throwable.class)
    static boolean enter(@Advice.Argument(0) String host, @Advice.Argument(2) Object promise) {
      return NettyDns.answer(host, promise, true);
    }
  }
}
