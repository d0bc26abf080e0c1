package dev.jmesh.agent.runtime;

import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Whether the agent may load its native libraries (BoringSSL, epoll) without the JVM printing on
 * the application's stderr, and why one cannot be used.
 *
 * <p>From JDK 24 on, the JVM prints a restricted-method warning the first time code without native
 * access loads a library (JEP 472), and an agent has no supported way to grant itself that access.
 */
public final class NativeAccess {

  private NativeAccess() {}

  /**
   * Why a native library cannot be used: null when {@code available} says it can, else {@code
   * cause} (or a plain "{@code what} is not available"). Never throws: missing classes or a broken
   * library are the answer, not the application's problem. Give lambdas, not method references, so
   * that the library's classes are resolved inside this method's try.
   */
  public static Throwable whyUnavailable(
      BooleanSupplier available, Supplier<Throwable> cause, String what) {
    try {
      if (available.getAsBoolean()) {
        return null;
      }
      Throwable why = cause.get();
      return why != null ? why : new IllegalStateException(what + " is not available");
    } catch (Throwable e) {
      return e;
    }
  }

  /** True on JDK 24 and later unless native access is enabled for the agent's (unnamed) module. */
  public static boolean loadingWouldWarn() {
    if (Runtime.version().feature() < 24) {
      return false;
    }
    try {
      // Module.isNativeAccessEnabled is public from JDK 22; the agent is compiled for 17.
      Object enabled =
          Module.class.getMethod("isNativeAccessEnabled").invoke(NativeAccess.class.getModule());
      return !Boolean.TRUE.equals(enabled);
    } catch (Throwable e) {
      return true;
    }
  }
}
