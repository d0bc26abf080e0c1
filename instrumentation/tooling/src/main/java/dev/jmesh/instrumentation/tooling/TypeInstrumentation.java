package dev.jmesh.instrumentation.tooling;

import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;
import net.bytebuddy.matcher.ElementMatchers;

/** The types one instrumentation changes and the advice it applies to their methods. */
public interface TypeInstrumentation {

  /** Which types to transform; match by name where possible (hierarchy matchers are expensive). */
  ElementMatcher<TypeDescription> typeMatcher();

  /**
   * Which class loaders' types to consider at all, checked before {@link #typeMatcher()}: an
   * instrumentation whose type matcher walks the hierarchy ({@code hasSuperType}) should only run
   * it for loaders that can see the library ({@link LoaderCanSee}). Every loader by default.
   */
  default ElementMatcher<ClassLoader> classLoaderMatcher() {
    return ElementMatchers.any();
  }

  /** Registers advice for methods of a matched type. */
  void transform(AdviceTarget target);
}
