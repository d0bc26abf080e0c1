package dev.jmesh.agent.config;

import dev.jmesh.api.JoinToken;
import dev.jmesh.policy.GoDuration;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * The agent's settings, read once at start-up.
 *
 * @param controlUrls control servers to try in order (fail over to the next on errors)
 * @param token the join token, used for the first certificate
 * @param controlCa PEM file whose certificates the control server may chain to instead of the
 *     token's CA hash; null when not given
 * @param inboundPorts the application ports to mesh; empty means every bind with a port above 0
 * @param adminPort 0 = ephemeral, -1 = no admin endpoint
 * @param certTtl the certificate lifetime to ask for; null = the server's default
 * @param startupTimeout how long new connections wait for the first snapshot and certificate
 * @param accessLog where access-log lines go: off, stdout, or a file path
 * @param accessLogSampling the fraction of requests that get a line, 0..1
 * @param statsInterval how often per-edge traffic summaries go to the control server; zero = never
 * @param tlsProvider which TLS engine the mesh's mTLS uses
 * @param ioTransport how the agent's listeners and relays do their socket I/O
 */
public record AgentConfig(
    boolean enabled,
    String service,
    String namespace,
    Map<String, String> labels,
    List<URI> controlUrls,
    JoinToken token,
    Path controlCa,
    Set<Integer> inboundPorts,
    String advertiseAddress,
    int adminPort,
    Duration certTtl,
    Duration startupTimeout,
    String accessLog,
    double accessLogSampling,
    Duration statsInterval,
    TlsProvider tlsProvider,
    IoTransportSetting ioTransport) {

  public static final String DEFAULT_NAMESPACE = "default";
  public static final String DEFAULT_ACCESS_LOG = "off";

  public static final int DEFAULT_ADMIN_PORT = 15020;
  public static final Duration DEFAULT_STARTUP_TIMEOUT = Duration.ofSeconds(10);
  public static final Duration DEFAULT_STATS_INTERVAL = Duration.ofSeconds(5);

  public AgentConfig {
    labels = Collections.unmodifiableMap(new LinkedHashMap<>(labels));
    controlUrls = List.copyOf(controlUrls);
    inboundPorts = Collections.unmodifiableSet(new LinkedHashSet<>(inboundPorts));
    tlsProvider = tlsProvider == null ? TlsProvider.AUTO : tlsProvider;
    ioTransport = ioTransport == null ? IoTransportSetting.AUTO : ioTransport;
  }

  /**
   * Reads the settings from system properties, then environment variables, then {@code agentArgs}
   * ({@code k=v,k=v}).
   *
   * @throws AgentConfigException with one line naming the setting that is missing or wrong; when
   *     {@code jmesh.enabled=false} nothing else is validated and a disabled config is returned
   */
  public static AgentConfig load(String agentArgs) {
    return load(agentArgs, System::getProperty, System::getenv);
  }

  static AgentConfig load(
      String agentArgs, UnaryOperator<String> systemProperties, UnaryOperator<String> environment) {
    return from(new SettingSources(systemProperties, environment, agentArgs));
  }

  /** Whether new inbound binds on {@code port} are meshed. */
  public boolean meshesInboundPort(int port) {
    return port > 0 && (inboundPorts.isEmpty() || inboundPorts.contains(port));
  }

  /** {@code default/orders}. */
  public String workloadName() {
    return namespace + "/" + service;
  }

  private static AgentConfig from(SettingSources s) {
    String enabledText = s.get("enabled");
    boolean enabled = enabledText == null || parseBoolean("enabled", enabledText);
    String namespace = orDefault(s.get("namespace"), DEFAULT_NAMESPACE);
    if (!enabled) {
      return new AgentConfig(
          false,
          s.get("service"),
          namespace,
          Map.of(),
          List.of(),
          null,
          null,
          Set.of(),
          null,
          -1,
          null,
          DEFAULT_STARTUP_TIMEOUT,
          DEFAULT_ACCESS_LOG,
          1.0,
          Duration.ZERO,
          TlsProvider.AUTO,
          IoTransportSetting.AUTO);
    }
    String service = s.get("service");
    if (service == null) {
      service = s.environmentVariable("OTEL_SERVICE_NAME");
    }
    if (service == null) {
      throw new AgentConfigException(
          "the service name is not set: set "
              + SettingSources.describe("service")
              + " or OTEL_SERVICE_NAME");
    }
    checkDnsLabel("service", service);
    checkDnsLabel("namespace", namespace);
    List<URI> control = parseControlUrls(s.get("control"));
    String tokenText = s.get("token");
    if (tokenText == null) {
      throw new AgentConfigException(
          "the join token is not set: set "
              + SettingSources.describe("token")
              + " to a token from 'jmesh-control-server token create'");
    }
    JoinToken token;
    try {
      token = JoinToken.parse(tokenText);
    } catch (IllegalArgumentException e) {
      throw new AgentConfigException(SettingSources.describe("token") + ": " + e.getMessage());
    }
    Path controlCa = null;
    String caText = s.get("control.ca");
    if (caText != null) {
      controlCa = Path.of(caText);
      if (!Files.isReadable(controlCa)) {
        throw new AgentConfigException(
            SettingSources.describe("control.ca") + ": cannot read the PEM file " + controlCa);
      }
    }
    String advertise = s.get("advertise.address");
    return new AgentConfig(
        true,
        service,
        namespace,
        parseLabels(s.get("labels")),
        control,
        token,
        controlCa,
        parsePorts(s.get("inbound.ports")),
        advertise != null ? advertise : firstNonLoopbackAddress(),
        parseAdminPort(s.get("admin.port")),
        s.get("cert.ttl") == null ? null : parsePositiveDuration("cert.ttl", s.get("cert.ttl")),
        s.get("startup.timeout") == null
            ? DEFAULT_STARTUP_TIMEOUT
            : parseDuration("startup.timeout", s.get("startup.timeout")),
        parseAccessLog(s.get("accesslog")),
        parseSampling(s.get("accesslog.sampling")),
        parseStatsInterval(s.get("stats.interval")),
        TlsProvider.parse(s.get(TlsProvider.SETTING)),
        IoTransportSetting.parse(s.get(IoTransportSetting.SETTING)));
  }

  /** A Go duration ({@code 5s}, {@code 500ms}) or whole seconds ({@code 5}); {@code 0} = off. */
  private static Duration parseStatsInterval(String text) {
    if (text == null || text.isBlank()) {
      return DEFAULT_STATS_INTERVAL;
    }
    String trimmed = text.trim();
    if (trimmed.matches("[0-9]{1,9}")) {
      return Duration.ofSeconds(Long.parseLong(trimmed));
    }
    Duration d = parseDuration("stats.interval", trimmed);
    if (!d.isZero() && d.toMillis() < 100) {
      throw new AgentConfigException(
          SettingSources.describe("stats.interval")
              + ": \""
              + trimmed
              + "\" is shorter than 100ms (0 turns the reports off)");
    }
    return d;
  }

  private static String parseAccessLog(String text) {
    if (text == null || text.isBlank()) {
      return DEFAULT_ACCESS_LOG;
    }
    String trimmed = text.trim();
    String lower = trimmed.toLowerCase(Locale.ROOT);
    if (lower.equals("off") || lower.equals("false") || lower.equals("none")) {
      return "off";
    }
    if (lower.equals("stdout") || lower.equals("/dev/stdout")) {
      return "stdout";
    }
    return trimmed;
  }

  private static double parseSampling(String text) {
    if (text == null || text.isBlank()) {
      return 1.0;
    }
    double value;
    try {
      value = Double.parseDouble(text.trim());
    } catch (NumberFormatException e) {
      value = Double.NaN;
    }
    if (!(value >= 0 && value <= 1)) {
      throw new AgentConfigException(
          SettingSources.describe("accesslog.sampling")
              + ": \""
              + text.trim()
              + "\" is not a fraction between 0 and 1");
    }
    return value;
  }

  private static List<URI> parseControlUrls(String text) {
    if (text == null) {
      throw new AgentConfigException(
          "the control server is not set: set "
              + SettingSources.describe("control")
              + " to https://<host>:15012");
    }
    List<URI> urls = new ArrayList<>();
    for (String part : text.split(",")) {
      if (part.isBlank()) {
        continue;
      }
      URI uri;
      try {
        uri = URI.create(part.trim());
      } catch (IllegalArgumentException e) {
        throw new AgentConfigException(
            SettingSources.describe("control") + ": \"" + part.trim() + "\" is not a URL");
      }
      if (!"https".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null) {
        throw new AgentConfigException(
            SettingSources.describe("control")
                + ": \""
                + part.trim()
                + "\" must be an https:// URL with a host");
      }
      String path = uri.getPath() == null ? "" : uri.getPath().replaceAll("/+$", "");
      urls.add(URI.create(uri.getScheme() + "://" + uri.getRawAuthority() + path));
    }
    if (urls.isEmpty()) {
      throw new AgentConfigException(SettingSources.describe("control") + " is empty");
    }
    return urls;
  }

  static Map<String, String> parseLabels(String text) {
    Map<String, String> labels = new LinkedHashMap<>();
    if (text == null) {
      return labels;
    }
    for (String pair : text.split(",")) {
      if (pair.isBlank()) {
        continue;
      }
      int eq = pair.indexOf('=');
      if (eq <= 0) {
        throw new AgentConfigException(
            SettingSources.describe("labels")
                + ": \""
                + pair.trim()
                + "\" is not key=value (example: version=v2,team=pay)");
      }
      labels.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
    }
    return labels;
  }

  private static Set<Integer> parsePorts(String text) {
    Set<Integer> ports = new LinkedHashSet<>();
    if (text == null) {
      return ports;
    }
    for (String part : text.split(",")) {
      if (part.isBlank()) {
        continue;
      }
      int port = parseInt("inbound.ports", part.trim());
      if (port < 1 || port > 65535) {
        throw new AgentConfigException(
            SettingSources.describe("inbound.ports") + ": " + port + " is not a port (1-65535)");
      }
      ports.add(port);
    }
    return ports;
  }

  private static int parseAdminPort(String text) {
    if (text == null) {
      return DEFAULT_ADMIN_PORT;
    }
    int port = parseInt("admin.port", text);
    if (port < -1 || port > 65535) {
      throw new AgentConfigException(
          SettingSources.describe("admin.port")
              + ": "
              + port
              + " is not a port (0 = ephemeral, -1 = off)");
    }
    return port;
  }

  private static int parseInt(String name, String text) {
    try {
      return Integer.parseInt(text.trim());
    } catch (NumberFormatException e) {
      throw new AgentConfigException(
          SettingSources.describe(name) + ": \"" + text + "\" is not a number");
    }
  }

  private static Duration parseDuration(String name, String text) {
    try {
      Duration d = GoDuration.parse(text);
      if (d.isNegative()) {
        throw new IllegalArgumentException("\"" + text + "\" is negative");
      }
      return d;
    } catch (IllegalArgumentException e) {
      throw new AgentConfigException(SettingSources.describe(name) + ": " + e.getMessage());
    }
  }

  private static Duration parsePositiveDuration(String name, String text) {
    Duration d = parseDuration(name, text);
    if (d.toSeconds() < 1) {
      throw new AgentConfigException(
          SettingSources.describe(name) + ": \"" + text + "\" is shorter than 1s");
    }
    return d;
  }

  private static boolean parseBoolean(String name, String text) {
    switch (text.trim().toLowerCase(Locale.ROOT)) {
      case "true":
      case "yes":
      case "1":
      case "on":
        return true;
      case "false":
      case "no":
      case "0":
      case "off":
        return false;
      default:
        throw new AgentConfigException(
            SettingSources.describe(name) + ": \"" + text + "\" is not true or false");
    }
  }

  private static void checkDnsLabel(String name, String value) {
    if (!value.matches("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")) {
      throw new AgentConfigException(
          SettingSources.describe(name)
              + ": \""
              + value
              + "\" is not a DNS label (lower-case letters, digits and '-', at most 63)");
    }
  }

  private static String orDefault(String value, String fallback) {
    return value == null ? fallback : value;
  }

  /** The first address of an interface that is up and not loopback, IPv4 first. */
  static String firstNonLoopbackAddress() {
    String fallback = null;
    try {
      for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        if (!nic.isUp() || nic.isLoopback()) {
          continue;
        }
        for (InetAddress address : Collections.list(nic.getInetAddresses())) {
          if (address.isLoopbackAddress() || address.isLinkLocalAddress()) {
            continue;
          }
          if (address instanceof Inet4Address) {
            return address.getHostAddress();
          }
          if (fallback == null) {
            fallback = address.getHostAddress();
          }
        }
      }
    } catch (IOException e) {
      // fall through to loopback
    }
    return fallback != null ? fallback : "127.0.0.1";
  }
}
