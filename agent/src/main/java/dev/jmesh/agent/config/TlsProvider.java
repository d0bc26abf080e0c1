package dev.jmesh.agent.config;

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
    return SettingSources.parseChoice(SETTING, text, AUTO, "a TLS provider");
  }
}
