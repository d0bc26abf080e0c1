package dev.jmesh.instrumentation.servlet;

import dev.jmesh.instrumentation.tooling.InstrumentationModule;
import dev.jmesh.instrumentation.tooling.TypeInstrumentation;
import java.util.List;

/**
 * Servlet containers, {@code javax.servlet} and {@code jakarta.servlet} alike: while a Servlet's
 * {@code service} or a Filter's {@code doFilter} handles a request, that request's context is
 * current, so the application's outbound calls carry its trace headers.
 */
public final class ServletModule implements InstrumentationModule {

  // By name, not by class literal: the agent's class loader cannot see either servlet API, so it
  // must never load the advice classes (ByteBuddy reads their bytecode).
  private static final String JAVAX_ADVICE = "dev.jmesh.instrumentation.servlet.JavaxServletAdvice";
  private static final String JAKARTA_ADVICE =
      "dev.jmesh.instrumentation.servlet.JakartaServletAdvice";

  @Override
  public String name() {
    return "servlet";
  }

  @Override
  public List<TypeInstrumentation> typeInstrumentations() {
    return List.of(
        new ServletInstrumentation("javax.servlet", JAVAX_ADVICE),
        new ServletInstrumentation("jakarta.servlet", JAKARTA_ADVICE));
  }
}
