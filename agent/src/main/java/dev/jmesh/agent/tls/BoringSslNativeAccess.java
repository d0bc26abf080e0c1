package dev.jmesh.agent.tls;

import dev.jmesh.bootstrap.AgentLog;
import io.netty.handler.ssl.OpenSsl;
import java.lang.instrument.Instrumentation;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.Set;

/**
 * Loads BoringSSL's native library without the warning JDK 24 and later print when code in an
 * unnamed module loads a library or binds native methods ("A restricted method in java.lang.System
 * has been called ... Use --enable-native-access=ALL-UNNAMED"): a quiet agent prints nothing on
 * stderr. Native access for unnamed modules is one JVM-wide flag, so it is turned on only for the
 * load and turned back off after, leaving the application's own native calls to warn as before.
 * With {@code --illegal-native-access=deny} the agent does not go around the user's choice: the
 * load fails and the mesh uses the JDK's TLS. Anything unexpected only costs the warning.
 */
public final class BoringSslNativeAccess {

  private BoringSslNativeAccess() {}

  /** Loads the library now (before any mesh TLS context is built), quietly where possible. */
  public static void load(Instrumentation instrumentation) {
    if (Runtime.version().feature() < 24 || nativeAccessDenied()) {
      loadLibrary();
      return;
    }
    Module allUnnamed;
    try {
      Module agent = BoringSslNativeAccess.class.getModule();
      instrumentation.redefineModule(
          Object.class.getModule(),
          Set.of(),
          Map.of("jdk.internal.misc", Set.of(agent)),
          Map.of("java.lang", Set.of(agent)),
          Set.of(),
          Map.of());
      // Module's fields are hidden from reflection; its methods are not.
      allUnnamed = (Module) accessible(Module.class.getDeclaredMethod("moduleForNativeAccess"))
          .invoke(agent);
      if ((Boolean) Module.class.getMethod("isNativeAccessEnabled").invoke(agent)) {
        loadLibrary(); // --enable-native-access=ALL-UNNAMED, or the JVM already warned once
        return;
      }
      accessible(Module.class.getDeclaredMethod("implAddEnableNativeAccessToAllUnnamed"))
          .invoke(null);
    } catch (Throwable e) {
      AgentLog.debug("cannot load BoringSSL without the JDK's native-access warning: " + e);
      loadLibrary();
      return;
    }
    try {
      loadLibrary();
    } finally {
      turnOff(allUnnamed);
    }
  }

  /** Clears the flag the JVM itself sets with Unsafe ({@code Module.EnableNativeAccess}). */
  private static void turnOff(Module allUnnamed) {
    try {
      Class<?> unsafeClass = Class.forName("jdk.internal.misc.Unsafe");
      Object unsafe = unsafeClass.getMethod("getUnsafe").invoke(null);
      long offset =
          (Long)
              unsafeClass
                  .getMethod("objectFieldOffset", Class.class, String.class)
                  .invoke(unsafe, Module.class, "enableNativeAccess");
      unsafeClass
          .getMethod("putBooleanVolatile", Object.class, long.class, boolean.class)
          .invoke(unsafe, allUnnamed, offset, false);
    } catch (Throwable e) {
      AgentLog.debug("native access for unnamed modules stays on: " + e);
    }
  }

  private static Method accessible(Method method) {
    method.setAccessible(true);
    return method;
  }

  private static void loadLibrary() {
    try {
      OpenSsl.isAvailable();
    } catch (Throwable e) {
      // TlsEngine reports why BoringSSL is not used
    }
  }

  private static boolean nativeAccessDenied() {
    try {
      return ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
          .anyMatch(argument -> argument.startsWith("--illegal-native-access=deny"));
    } catch (Throwable e) {
      return false;
    }
  }
}
