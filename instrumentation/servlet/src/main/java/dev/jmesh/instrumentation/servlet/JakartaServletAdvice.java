package dev.jmesh.instrumentation.servlet;

import dev.jmesh.bootstrap.RequestContext;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.http.HttpServletRequest;
import net.bytebuddy.asm.Advice;

/**
 * Inlined into {@code jakarta.servlet} Servlets' {@code service} and Filters' {@code doFilter}: makes
 * the request's context current for the call, unless one is current already (an outer filter or
 * servlet of the same request made it so, and then this costs one thread-local read).
 */
@SuppressWarnings("unused")
final class JakartaServletAdvice {

  private JakartaServletAdvice() {}

  @Advice.OnMethodEnter(suppress = Throwable.class)
  static Object enter(@Advice.Argument(0) ServletRequest request) {
    if (RequestContext.current() != null || !(request instanceof HttpServletRequest)) {
      return null;
    }
    HttpServletRequest http = (HttpServletRequest) request;
    String[] values = null;
    for (int i = 0; i < RequestContext.headerCount(); i++) {
      String value = http.getHeader(RequestContext.headerName(i));
      if (value != null) {
        if (values == null) {
          values = new String[RequestContext.headerCount()];
        }
        values[i] = value;
      }
    }
    return values == null ? null : RequestContext.enter(RequestContext.of(values));
  }

  @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
  static void exit(@Advice.Enter Object token) {
    RequestContext.exit(token);
  }
}
