package dev.jmesh.instrumentation.tooling;

import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import net.bytebuddy.matcher.ElementMatcher;

/**
 * Matches class loaders that can load a class, found by its resource once per loader and
 * remembered (weakly, so loaders can still be unloaded). The boot loader never matches: libraries
 * are not on the boot class path. Used to keep hierarchy matchers away from loaders that cannot
 * see the library at all.
 */
public final class LoaderCanSee extends ElementMatcher.Junction.AbstractBase<ClassLoader> {

  private final String resource;
  private final Map<ClassLoader, Boolean> seen = Collections.synchronizedMap(new WeakHashMap<>());

  private LoaderCanSee(String className) {
    this.resource = className.replace('.', '/') + ".class";
  }

  /** Loaders that can see {@code className} (a binary name, {@code javax.servlet.Servlet}). */
  public static LoaderCanSee classNamed(String className) {
    return new LoaderCanSee(className);
  }

  @Override
  public boolean matches(ClassLoader loader) {
    if (loader == null) {
      return false;
    }
    Boolean known = seen.get(loader);
    if (known == null) {
      known = loader.getResource(resource) != null;
      seen.put(loader, known);
    }
    return known;
  }
}
