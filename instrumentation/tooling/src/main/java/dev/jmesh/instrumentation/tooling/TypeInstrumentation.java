package dev.jmesh.instrumentation.tooling;

import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/** The types one instrumentation changes and the advice it applies to their methods. */
public interface TypeInstrumentation {

  /** Which types to transform; match by name where possible (hierarchy matchers are expensive). */
  ElementMatcher<TypeDescription> typeMatcher();

  /** Registers advice for methods of a matched type. */
  void transform(AdviceTarget target);
}
