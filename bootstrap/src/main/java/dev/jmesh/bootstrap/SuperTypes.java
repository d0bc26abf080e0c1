package dev.jmesh.bootstrap;

import java.util.function.Predicate;

/**
 * Finds a library's type among a class's super types by name, for the hooks that reach the
 * application's libraries without linking them (Netty's {@code HttpRequest}, its {@code Promise}).
 */
final class SuperTypes {

  private SuperTypes() {}

  /** {@code type}, a superclass or an interface of either whose name passes; null if none does. */
  static Class<?> named(Class<?> type, Predicate<String> name) {
    for (Class<?> current = type; current != null; current = current.getSuperclass()) {
      if (name.test(current.getName())) {
        return current;
      }
      for (Class<?> implemented : current.getInterfaces()) {
        Class<?> found = named(implemented, name);
        if (found != null) {
          return found;
        }
      }
    }
    return null;
  }
}
