package dev.jmesh.agent.runtime;

import dev.jmesh.bootstrap.AgentLog;
import java.util.function.Supplier;

/**
 * Whether to use one of the agent's native libraries (epoll, BoringSSL), by one rule for all: a
 * setting of {@code off} never loads it; {@code auto} loads nothing where loading would make the
 * JVM print a warning (JDK 24+ without native access), and otherwise uses the library if it loads;
 * {@code on} uses it if it loads and says once, as a warning, when it does not. The JDK's own
 * implementation is the fallback in every case, so the application never notices.
 *
 * @param setting the setting's name, {@code jmesh.io.transport}
 * @param on the value that asks for the library, {@code epoll}
 * @param off the value that never loads it, {@code nio}
 * @param library how log lines name the library, {@code epoll}
 * @param fallback what the agent uses instead, for log lines: {@code the agent's I/O uses NIO}
 */
public record NativeLibraryChoice(
    String setting, String on, String off, String library, String fallback) {

  /** What a setting asks for. */
  public enum Wanted {
    AUTO,
    ON,
    OFF
  }

  /**
   * @param loadingWouldWarn whether loading a native library makes this JVM print a warning
   * @param whyUnusable null when the library is usable, else the reason; asked only when the library
   *     may be used, since asking loads it
   */
  public boolean use(Wanted wanted, boolean loadingWouldWarn, Supplier<Throwable> whyUnusable) {
    if (wanted == Wanted.OFF) {
      AgentLog.debug(fallback + " (" + setting + "=" + off + ")");
      return false;
    }
    if (wanted == Wanted.AUTO && loadingWouldWarn) {
      AgentLog.debug(
          fallback
              + "; loading "
              + library
              + " would make this JVM print a native-access warning (start it with"
              + " --enable-native-access=ALL-UNNAMED, or set "
              + setting
              + "="
              + on
              + ")");
      return false;
    }
    Throwable cause = whyUnusable.get();
    if (cause == null) {
      return true;
    }
    if (wanted == Wanted.ON) {
      AgentLog.warnOnce(
          setting + "." + on + ".unavailable",
          setting
              + "="
              + on
              + " but "
              + library
              + "'s native library did not load ("
              + cause
              + "); "
              + fallback);
    } else {
      AgentLog.debug(fallback + "; " + library + "'s native library did not load: " + cause);
    }
    return false;
  }
}
