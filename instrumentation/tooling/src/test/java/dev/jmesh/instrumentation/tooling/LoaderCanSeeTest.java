package dev.jmesh.instrumentation.tooling;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.net.URLClassLoader;
import org.junit.jupiter.api.Test;

class LoaderCanSeeTest {

  private final ClassLoader testLoader = LoaderCanSeeTest.class.getClassLoader();

  @Test
  void aLoaderThatCanLoadTheClassMatches() {
    assertTrue(LoaderCanSee.classNamed(LoaderCanSeeTest.class.getName()).matches(testLoader));
  }

  @Test
  void aLoaderThatCannotDoesNot() {
    assertFalse(LoaderCanSee.classNamed("javax.servlet.Servlet").matches(testLoader));
    try (URLClassLoader isolated = new URLClassLoader(new URL[0], null)) {
      assertFalse(
          LoaderCanSee.classNamed(LoaderCanSeeTest.class.getName()).matches(isolated),
          "a loader that cannot reach the test classes");
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void theBootLoaderNeverMatches() {
    assertFalse(LoaderCanSee.classNamed("java.lang.String").matches(null));
  }
}
