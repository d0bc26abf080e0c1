package dev.jmesh.agent.runtime;

/**
 * Whether the agent may load its native libraries (BoringSSL, epoll) without the JVM printing on
 * the application's stderr.
 *
 * <p>From JDK 24 on, the JVM prints a restricted-method warning the first time code without native
 * access loads a library (JEP 472), and an agent has no supported way to grant itself that access.
 */
public final class NativeAccess {

  private NativeAccess() {}

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
