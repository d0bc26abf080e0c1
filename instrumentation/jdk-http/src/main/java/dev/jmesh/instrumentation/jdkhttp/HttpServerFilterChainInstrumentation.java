package dev.jmesh.instrumentation.jdkhttp;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import com.sun.net.httpserver.HttpExchange;
import dev.jmesh.bootstrap.ContextHeaders;
import dev.jmesh.bootstrap.RequestContext;
import dev.jmesh.instrumentation.tooling.AdviceTarget;
import dev.jmesh.instrumentation.tooling.TypeInstrumentation;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * {@code com.sun.net.httpserver.Filter.Chain.doFilter(HttpExchange)}: the JDK HttpServer runs every
 * exchange through it (the user filters' chain, then the system filters' chain, which ends in the
 * handler), on the thread the server's executor gives the exchange. The request's context is
 * current from the first filter to the end of the handler; nested chains re-read the headers, so a
 * filter that replaces the request's headers is honoured.
 */
final class HttpServerFilterChainInstrumentation implements TypeInstrumentation {

  @Override
  public ElementMatcher<TypeDescription> typeMatcher() {
    return named("com.sun.net.httpserver.Filter$Chain");
  }

  @Override
  public void transform(AdviceTarget target) {
    target.applyAdvice(
        named("doFilter").and(takesArguments(HttpExchange.class)),
        DoFilterAdvice.class.getName());
  }

  @SuppressWarnings("unused")
  static final class DoFilterAdvice {
    private DoFilterAdvice() {}

    @Advice.OnMethodEnter(suppress = Throwable.class)
    static Object enter(@Advice.Argument(0) HttpExchange exchange) {
      return exchange == null ? null : ContextHeaders.enter(exchange.getRequestHeaders());
    }

    @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
    static void exit(@Advice.Enter Object token) {
      RequestContext.exit(token);
    }
  }
}
