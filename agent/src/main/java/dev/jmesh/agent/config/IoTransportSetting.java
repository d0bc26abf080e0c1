package dev.jmesh.agent.config;

import java.util.Locale;

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
    if (text == null || text.isBlank()) {
      return AUTO;
    }
    switch (text.trim().toLowerCase(Locale.ROOT)) {
      case "auto":
        return AUTO;
      case "epoll":
        return EPOLL;
      case "nio":
        return NIO;
      default:
        throw new AgentConfigException(
            SettingSources.describe(SETTING)
                + ": \""
                + text.trim()
                + "\" is not an I/O transport (auto, epoll or nio)");
    }
  }
}
