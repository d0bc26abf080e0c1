package dev.jmesh.agent.config;

import java.util.Locale;

/**
 * Which TLS engine the mesh's mTLS uses ({@code jmesh.tls.provider}/{@code JMESH_TLS_PROVIDER}):
 * BoringSSL through Netty's OpenSSL engine when it loads, or the JDK's own (JSSE).
 */
public enum TlsProvider {
  /** BoringSSL when its native library loads on this platform, else the JDK (the default). */
  AUTO,
  /** BoringSSL; when it cannot load, one warning and the JDK. */
  OPENSSL,
  /** The JDK's engine, always. */
  JDK;

  static final String SETTING = "tls.provider";

  /** {@code auto}, {@code openssl} or {@code jdk}, any case; null or blank is {@link #AUTO}. */
  static TlsProvider parse(String text) {
    if (text == null || text.isBlank()) {
      return AUTO;
    }
    switch (text.trim().toLowerCase(Locale.ROOT)) {
      case "auto":
        return AUTO;
      case "openssl":
        return OPENSSL;
      case "jdk":
        return JDK;
      default:
        throw new AgentConfigException(
            SettingSources.describe(SETTING)
                + ": \""
                + text.trim()
                + "\" is not a TLS provider (auto, openssl or jdk)");
    }
  }
}
