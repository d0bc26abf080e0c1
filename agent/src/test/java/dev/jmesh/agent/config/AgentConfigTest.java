package dev.jmesh.agent.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AgentConfigTest {

  private static final String TOKEN =
      "jmesh1.0123456789abcdef.0123456789abcdef0123456789abcdef."
          + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

  private final Map<String, String> properties = new HashMap<>();
  private final Map<String, String> environment = new HashMap<>();

  private AgentConfig load(String agentArgs) {
    return AgentConfig.load(agentArgs, properties::get, environment::get);
  }

  private void minimal() {
    properties.put("jmesh.service", "orders");
    properties.put("jmesh.control", "https://localhost:15012");
    properties.put("jmesh.token", TOKEN);
  }

  @Test
  void defaultsFollowTheDocumentedSettings() {
    minimal();
    AgentConfig config = load(null);
    assertTrue(config.enabled());
    assertEquals("default", config.namespace());
    assertEquals(15020, config.adminPort());
    assertEquals(Duration.ofSeconds(10), config.startupTimeout());
    assertNull(config.certTtl());
    assertEquals(Set.of(), config.inboundPorts());
    assertTrue(config.meshesInboundPort(8080));
    assertFalse(config.meshesInboundPort(0));
    assertEquals("0123456789abcdef", config.token().id());
    assertEquals("default/orders", config.workloadName());
  }

  @Test
  void systemPropertiesWinOverEnvironmentWhichWinsOverAgentArguments() {
    minimal();
    properties.put("jmesh.namespace", "fromprop");
    environment.put("JMESH_NAMESPACE", "fromenv");
    environment.put("JMESH_ADMIN_PORT", "-1");
    AgentConfig config = load("namespace=fromargs,admin.port=0,labels=version=v2,team=pay");
    assertEquals("fromprop", config.namespace());
    assertEquals(-1, config.adminPort());
    assertEquals(Map.of("version", "v2", "team", "pay"), config.labels());
  }

  @Test
  void agentArgumentsCarryCommaSeparatedValues() {
    AgentConfig config =
        load(
            "service=orders,token="
                + TOKEN
                + ",control=https://a.example:15012,https://b.example:15012/,inbound.ports=8080,9090"
                + ",jmesh.cert.ttl=1m30s,startup.timeout=500ms,advertise.address=10.0.0.7");
    assertEquals(
        List.of(URI.create("https://a.example:15012"), URI.create("https://b.example:15012")),
        config.controlUrls());
    assertEquals(Set.of(8080, 9090), config.inboundPorts());
    assertFalse(config.meshesInboundPort(7070));
    assertEquals(Duration.ofSeconds(90), config.certTtl());
    assertEquals(Duration.ofMillis(500), config.startupTimeout());
    assertEquals("10.0.0.7", config.advertiseAddress());
  }

  @Test
  void serviceFallsBackToOtelServiceName() {
    minimal();
    properties.remove("jmesh.service");
    environment.put("OTEL_SERVICE_NAME", "checkout");
    assertEquals("checkout", load(null).service());
  }

  @Test
  void disabledSkipsEverythingElse() {
    environment.put("JMESH_ENABLED", "false");
    assertFalse(load(null).enabled());
  }

  @ParameterizedTest(name = "{0}={1} -> {2}")
  @CsvSource(
      delimiter = '|',
      value = {
        "jmesh.service|| the service name is not set: set jmesh.service/JMESH_SERVICE or"
            + " OTEL_SERVICE_NAME",
        "jmesh.service|Orders_Service| jmesh.service/JMESH_SERVICE: \"Orders_Service\" is not a DNS"
            + " label",
        "jmesh.control|http://localhost:15012| jmesh.control/JMESH_CONTROL:"
            + " \"http://localhost:15012\" must be an https:// URL",
        "jmesh.control|| the control server is not set",
        "jmesh.token|| the join token is not set",
        "jmesh.token|nope| jmesh.token/JMESH_TOKEN: join token is malformed",
        "jmesh.admin.port|70000| jmesh.admin.port/JMESH_ADMIN_PORT: 70000 is not a port",
        "jmesh.inbound.ports|80,x| jmesh.inbound.ports/JMESH_INBOUND_PORTS: \"x\" is not a number",
        "jmesh.cert.ttl|soon| jmesh.cert.ttl/JMESH_CERT_TTL: invalid duration \"soon\"",
        "jmesh.labels|version| jmesh.labels/JMESH_LABELS: \"version\" is not key=value",
        "jmesh.enabled|maybe| jmesh.enabled/JMESH_ENABLED: \"maybe\" is not true or false",
        "jmesh.control.ca|/nonexistent.pem| jmesh.control.ca/JMESH_CONTROL_CA: cannot read the PEM"
            + " file",
      })
  void errorsNameTheSettingAndTheProblem(String key, String value, String message) {
    minimal();
    if (value == null) {
      properties.remove(key);
    } else {
      properties.put(key, value);
    }
    AgentConfigException e = assertThrows(AgentConfigException.class, () -> load(null));
    assertTrue(e.getMessage().startsWith(message.strip()), e.getMessage());
  }

  @Test
  void accessLogIsOffByDefaultAndTakesStdoutOrAFileWithSampling() {
    minimal();
    assertEquals("off", load(null).accessLog());
    assertEquals(1.0, load(null).accessLogSampling());
    environment.put("JMESH_ACCESSLOG", "stdout");
    environment.put("JMESH_ACCESSLOG_SAMPLING", "0.25");
    assertEquals("stdout", load(null).accessLog());
    assertEquals(0.25, load(null).accessLogSampling());
    environment.clear();
    assertEquals("/tmp/access.log", load("accesslog=/tmp/access.log").accessLog());
    properties.put("jmesh.accesslog.sampling", "1.5");
    AgentConfigException e = assertThrows(AgentConfigException.class, () -> load(null));
    assertTrue(e.getMessage().contains("jmesh.accesslog.sampling"), e.getMessage());
  }

  @Test
  void statsIntervalIsFiveSecondsByDefaultTakesSecondsOrADurationAndZeroTurnsItOff() {
    minimal();
    assertEquals(Duration.ofSeconds(5), load(null).statsInterval());
    assertEquals(Duration.ofSeconds(2), load("stats.interval=2s").statsInterval());
    environment.put("JMESH_STATS_INTERVAL", "10");
    assertEquals(Duration.ofSeconds(10), load(null).statsInterval());
    properties.put("jmesh.stats.interval", "1500ms");
    assertEquals(Duration.ofMillis(1500), load(null).statsInterval());
    properties.put("jmesh.stats.interval", "0");
    assertEquals(Duration.ZERO, load(null).statsInterval());
    properties.put("jmesh.stats.interval", "5 seconds");
    AgentConfigException e = assertThrows(AgentConfigException.class, () -> load(null));
    assertTrue(
        e.getMessage().startsWith("jmesh.stats.interval/JMESH_STATS_INTERVAL"), e.getMessage());
  }

  @Test
  void tlsProviderIsAutoByDefaultAndNamesTheSettingWhenUnknown() {
    minimal();
    assertEquals(TlsProvider.AUTO, load(null).tlsProvider());
    assertEquals(TlsProvider.JDK, load("tls.provider=jdk").tlsProvider());
    environment.put("JMESH_TLS_PROVIDER", "OpenSSL");
    assertEquals(TlsProvider.OPENSSL, load("tls.provider=jdk").tlsProvider());
    properties.put("jmesh.tls.provider", "auto");
    assertEquals(TlsProvider.AUTO, load(null).tlsProvider());
    properties.put("jmesh.tls.provider", "conscrypt");
    AgentConfigException e = assertThrows(AgentConfigException.class, () -> load(null));
    assertEquals(
        "jmesh.tls.provider/JMESH_TLS_PROVIDER: \"conscrypt\" is not a TLS provider"
            + " (auto, openssl or jdk)",
        e.getMessage());
  }

  @Test
  void ioTransportIsAutoByDefaultAndNamesTheSettingWhenUnknown() {
    minimal();
    assertEquals(IoTransportSetting.AUTO, load(null).ioTransport());
    assertEquals(IoTransportSetting.NIO, load("io.transport=nio").ioTransport());
    environment.put("JMESH_IO_TRANSPORT", "EPOLL");
    assertEquals(IoTransportSetting.EPOLL, load("io.transport=nio").ioTransport());
    properties.put("jmesh.io.transport", "io_uring");
    AgentConfigException e = assertThrows(AgentConfigException.class, () -> load(null));
    assertEquals(
        "jmesh.io.transport/JMESH_IO_TRANSPORT: \"io_uring\" is not an I/O transport"
            + " (auto, epoll or nio)",
        e.getMessage());
  }
}
