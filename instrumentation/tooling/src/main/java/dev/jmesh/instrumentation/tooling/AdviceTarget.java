package dev.jmesh.instrumentation.tooling;

import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.matcher.ElementMatcher;

/** Where an instrumentation applies its advice; implemented by the agent's installer. */
public interface AdviceTarget {

  /**
   * Inlines the advice class named {@code adviceClassName} (looked up by name from the agent's
   * class loader) into every method of the type that {@code methods} matches.
   */
  void applyAdvice(ElementMatcher<? super MethodDescription> methods, String adviceClassName);
}
