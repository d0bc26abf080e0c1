package dev.jmesh.agent.tls;

import dev.jmesh.agent.config.TlsProvider;
import dev.jmesh.bootstrap.AgentLog;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslProvider;
import java.util.function.Supplier;

/**
 * The engine that runs the mesh's mTLS: BoringSSL (Netty's OpenSSL engine over the native library
 * the agent jar ships) when {@code jmesh.tls.provider} allows it and the library loads here, else
 * the JDK's. Chosen once per {@link MeshTlsContexts}; the reason goes to the debug log, and asking
 * for {@code openssl} where it cannot load is one warning.
 *
 * @param provider what Netty builds the contexts with
 * @param name {@code BoringSSL} or {@code JDK}, for the start-up line
 */
public record TlsEngine(SslProvider provider, String name) {

  static final TlsEngine JDK = new TlsEngine(SslProvider.JDK, "JDK");
  static final TlsEngine BORINGSSL = new TlsEngine(SslProvider.OPENSSL, "BoringSSL");

  /** The engine for {@code setting} on this JVM. */
  public static TlsEngine choose(TlsProvider setting) {
    return choose(setting, TlsEngine::whyBoringSslCannotLoad);
  }

  /**
   * @param whyBoringSslCannotLoad null when BoringSSL is usable, else the reason it is not
   */
  static TlsEngine choose(TlsProvider setting, Supplier<Throwable> whyBoringSslCannotLoad) {
    if (setting == TlsProvider.JDK) {
      AgentLog.debug("mTLS engine: JDK (jmesh.tls.provider=jdk)");
      return JDK;
    }
    Throwable cause = whyBoringSslCannotLoad.get();
    if (cause == null) {
      AgentLog.debug("mTLS engine: BoringSSL (" + boringSslVersion() + ")");
      return BORINGSSL;
    }
    if (setting == TlsProvider.OPENSSL) {
      AgentLog.warnOnce(
          "tls.provider.openssl.unavailable",
          "jmesh.tls.provider=openssl but BoringSSL's native library did not load ("
              + cause
              + "); mTLS uses the JDK's engine");
    } else {
      AgentLog.debug("mTLS engine: JDK, BoringSSL's native library did not load: " + cause);
    }
    return JDK;
  }

  private static Throwable whyBoringSslCannotLoad() {
    try {
      if (OpenSsl.isAvailable()) {
        return null;
      }
      Throwable cause = OpenSsl.unavailabilityCause();
      return cause != null ? cause : new IllegalStateException("OpenSSL is not available");
    } catch (Throwable e) {
      // the classes or the native library are missing or broken: never the application's problem
      return e;
    }
  }

  private static String boringSslVersion() {
    try {
      return OpenSsl.versionString();
    } catch (Throwable e) {
      return "version unknown";
    }
  }
}
