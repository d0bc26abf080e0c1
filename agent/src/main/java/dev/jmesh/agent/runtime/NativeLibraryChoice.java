package dev.jmesh.agent.runtime;

import dev.jmesh.bootstrap.AgentLog;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Whether to use one of the agent's native libraries (epoll, BoringSSL), by one rule for all: the
 * setting's {@code off} value never loads it; any other value but {@code on} (i.e. {@code auto})
 * loads nothing where loading would make the JVM print a warning (JDK 24+ without native access),
 * and otherwise uses the library if it loads; {@code on} uses it if it loads and says once, as a
 * warning, when it does not. The JDK's own implementation is the fallback in every case, so the
 * application never notices.
 *
 * @param setting the setting's name, {@code jmesh.io.transport}
 * @param on the setting's value that asks for the library, {@code EPOLL}
 * @param off the value that never loads it, {@code NIO}
 * @param library how log lines name the library, {@code epoll}
 * @param fallback what the agent uses instead, for log lines: {@code the agent's I/O uses NIO}
 */
public record NativeLibraryChoice<E extends Enum<E>>(
    String setting, E on, E off, String library, String fallback) {

  /**
   * @param chosen the setting's value
   * @param loadingWouldWarn whether loading a native library makes this JVM print a warning
   * @param whyUnusable null when the library is usable, else the reason; asked only when the library
   *     may be used, since asking loads it
   */
  public boolean use(E chosen, boolean loadingWouldWarn, Supplier<Throwable> whyUnusable) {
    if (chosen == off) {
      AgentLog.debug(fallback + " (" + setting + "=" + value(off) + ")");
      return false;
    }
    if (chosen != on && loadingWouldWarn) {
      AgentLog.debug(
          fallback
              + "; loading "
              + library
              + " would make this JVM print a native-access warning (start it with"
              + " --enable-native-access=ALL-UNNAMED, or set "
              + setting
              + "="
              + value(on)
              + ")");
      return false;
    }
    Throwable cause = whyUnusable.get();
    if (cause == null) {
      return true;
    }
    if (chosen == on) {
      AgentLog.warnOnce(
          setting + "." + value(on) + ".unavailable",
          setting
              + "="
              + value(on)
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

  private static String value(Enum<?> constant) {
    return constant.name().toLowerCase(Locale.ROOT);
  }
}
