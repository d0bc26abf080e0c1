package dev.jmesh.agent.config;

/**
 * How the agent's listeners and relays do their socket I/O ({@code jmesh.io.transport}/{@code
 * JMESH_IO_TRANSPORT}): Linux's epoll through Netty's native transport, or the JDK's NIO.
 */
public enum IoTransportSetting {
  /** epoll where its native library loads without a JVM warning, else NIO (the default). */
  AUTO,
  /** epoll; when it cannot load, one warning and NIO. */
  EPOLL,
  /** The JDK's NIO, always. */
  NIO;

  static final String SETTING = "io.transport";

  /** {@code auto}, {@code epoll} or {@code nio}, any case; null or blank is {@link #AUTO}. */
  static IoTransportSetting parse(String text) {
    return SettingSources.parseChoice(SETTING, text, AUTO, "an I/O transport");
  }
}
