package dev.jmesh.agent.tls;

import dev.jmesh.agent.config.TlsProvider;
import dev.jmesh.agent.runtime.NativeAccess;
import dev.jmesh.agent.runtime.NativeLibraryChoice;
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
 * <p>From JDK 24 on, the JVM prints a restricted-method warning on the application's stderr the
 * first time code without native access loads a library (JEP 472), and an agent has no supported
 * way to grant itself that access. So {@code auto} loads BoringSSL there only when the user has
 * allowed native access ({@code --enable-native-access=ALL-UNNAMED}); otherwise it stays on the
 * JDK's engine, which on those JDKs is within 2× of OpenSSL's handshake cost anyway. {@code openssl}
 * loads it regardless: the warning (if any) is then the user's choice.
 *
 * @param provider what Netty builds the contexts with
 * @param name {@code BoringSSL} or {@code JDK}, for the start-up line
 */
public record TlsEngine(SslProvider provider, String name) {

  static final TlsEngine JDK = new TlsEngine(SslProvider.JDK, "JDK");
  static final TlsEngine BORINGSSL = new TlsEngine(SslProvider.OPENSSL, "BoringSSL");

  private static final NativeLibraryChoice<TlsProvider> BORINGSSL_CHOICE =
      new NativeLibraryChoice<>(
          "jmesh.tls.provider",
          TlsProvider.OPENSSL,
          TlsProvider.JDK,
          "BoringSSL",
          "mTLS uses the JDK's engine");

  /** The engine for {@code setting} on this JVM. */
  public static TlsEngine choose(TlsProvider setting) {
    return choose(setting, loadingWouldWarn(), TlsEngine::whyBoringSslCannotLoad);
  }

  /**
   * @param loadingWouldWarn whether loading a native library makes this JVM print a warning
   * @param whyBoringSslCannotLoad null when BoringSSL is usable, else the reason it is not; asked
   *     only when it may be used, since asking loads the library
   */
  static TlsEngine choose(
      TlsProvider setting, boolean loadingWouldWarn, Supplier<Throwable> whyBoringSslCannotLoad) {
    if (!BORINGSSL_CHOICE.use(setting, loadingWouldWarn, whyBoringSslCannotLoad)) {
      return JDK;
    }
    AgentLog.debug("mTLS engine: BoringSSL (" + boringSslVersion() + ")");
    return BORINGSSL;
  }

  static boolean loadingWouldWarn() {
    return NativeAccess.loadingWouldWarn();
  }

  private static Throwable whyBoringSslCannotLoad() {
    return NativeAccess.whyUnavailable(
        () -> OpenSsl.isAvailable(), () -> OpenSsl.unavailabilityCause(), "OpenSSL");
  }

  private static String boringSslVersion() {
    try {
      return OpenSsl.versionString();
    } catch (Throwable e) {
      return "version unknown";
    }
  }
}
