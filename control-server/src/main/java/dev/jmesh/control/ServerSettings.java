package dev.jmesh.control;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * How a control server runs ({@code serve} flags).
 *
 * @param port 0 for any free port
 * @param caCertFile with {@code caKeyFile}: bring your own CA; both null to use the data
 *     directory's
 * @param extraSans names and addresses for the TLS certificate besides localhost, 127.0.0.1 and ::1
 */
public record ServerSettings(
    Path dataDir,
    String bindAddress,
    int port,
    String trustDomain,
    Duration certTtl,
    Duration heartbeatInterval,
    Path caCertFile,
    Path caKeyFile,
    List<String> extraSans,
    Clock clock) {

  public static final String DEFAULT_TRUST_DOMAIN = "cluster.local";
  public static final int DEFAULT_PORT = 15012;

  /** The defaults of {@code serve}, with {@code dataDir}. */
  public static ServerSettings defaults(Path dataDir) {
    return new ServerSettings(
        dataDir,
        "127.0.0.1",
        DEFAULT_PORT,
        DEFAULT_TRUST_DOMAIN,
        Duration.ofHours(24),
        Duration.ofSeconds(5),
        null,
        null,
        List.of(),
        Clock.systemUTC());
  }

  public ServerSettings withPort(int newPort) {
    return new ServerSettings(
        dataDir,
        bindAddress,
        newPort,
        trustDomain,
        certTtl,
        heartbeatInterval,
        caCertFile,
        caKeyFile,
        extraSans,
        clock);
  }
}
