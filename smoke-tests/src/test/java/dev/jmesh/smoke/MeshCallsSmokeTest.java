package dev.jmesh.smoke;

import static dev.jmesh.smoke.MeshAssertions.assertArrivedOverMutualTls;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jmesh.smoke.MeshApp.AgentAttachment;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Unmodified apps call each other by mesh name and the calls travel over mutual TLS with the
 * workload identities: service a (JDK HttpServer) calls b (JDK HttpServer) and j (Jetty 12) with
 * the JDK HttpClient and with HttpURLConnection. No PeerAuthentication: the mesh is PERMISSIVE.
 */
@ExtendWith(PrintProcessOutputOnFailure.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class MeshCallsSmokeTest {

  private static ControlServer control;
  private static MeshApp a;
  private static MeshApp b;
  private static MeshApp j;

  @BeforeAll
  static void startMesh() {
    control = ControlServer.start();
    a = MeshApp.builder("a", MeshApp.JDK_HTTP_SERVER).joining(control).start();
    b = MeshApp.builder("b", MeshApp.JDK_HTTP_SERVER).joining(control).start();
    j = MeshApp.builder("j", MeshApp.JETTY).joining(control).start();
    a.awaitReady();
    b.awaitReady();
    j.awaitReady();
  }

  @AfterAll
  static void stopMesh() {
    SmokeEnvironment.closeAll(a, b, j, control);
  }

  @ParameterizedTest(name = "client={0}")
  @ValueSource(strings = {"jdk", "urlconnection"})
  void shortNameReachesTheServiceOverMutualTlsWithBothIdentities(String client) throws Exception {
    String headers = a.awaitCallOk("http://b:" + b.port() + "/headers", client);

    assertArrivedOverMutualTls(headers, a, b);
  }

  @ParameterizedTest(name = "client={0}")
  @ValueSource(strings = {"jdk", "urlconnection"})
  void everyRequestOnAReusedConnectionCarriesTheClientIdentity(String client) throws Exception {
    a.awaitCallOk("http://b:" + b.port() + "/hello", client);

    for (int i = 0; i < 5; i++) {
      assertArrivedOverMutualTls(a.callOk("http://b:" + b.port() + "/headers", client), a, b);
    }
  }

  @ParameterizedTest(name = "host={0}")
  @ValueSource(strings = {"b.default", "b.default.svc.cluster.local"})
  void namespacedAndFullyQualifiedNamesReachTheService(String host) throws Exception {
    a.awaitCallOk("http://b:" + b.port() + "/hello", "jdk");

    assertArrivedOverMutualTls(a.callOk("http://" + host + ":" + b.port() + "/headers", "jdk"), a, b);
    assertArrivedOverMutualTls(
        a.callOk("http://" + host + ":" + b.port() + "/headers", "urlconnection"), a, b);
  }

  @Test
  void configDumpsShowTheConnectionWithPeerIdentitiesOnBothSides() throws Exception {
    a.awaitCallOk("http://b:" + b.port() + "/hello", "jdk");
    a.callOk("http://b:" + b.port() + "/hello", "urlconnection");

    ConfigDump server =
        b.awaitConfigDump(
            "an inbound connection from " + a.spiffeId(),
            dump -> dump.inbound().stream().anyMatch(c -> c.from(a.spiffeId())));
    ConfigDump.Connection inbound =
        server.inbound().stream().filter(c -> c.from(a.spiffeId())).findFirst().get();
    assertTrue(
        inbound.tlsProtocol() != null && inbound.tlsProtocol().startsWith("TLSv1."),
        () -> "inbound connection " + inbound);
    assertNotNull(inbound.cipherSuite(), () -> "inbound connection " + inbound);

    ConfigDump client =
        a.awaitConfigDump(
            "an outbound connection with peer " + b.spiffeId(),
            dump -> dump.outbound().stream().anyMatch(c -> c.from(b.spiffeId())));
    ConfigDump.Connection outbound =
        client.outbound().stream().filter(c -> c.from(b.spiffeId())).findFirst().get();
    assertTrue(
        outbound.target() != null && outbound.target().startsWith("b.default."),
        () -> "outbound connection " + outbound);
    assertTrue(
        outbound.tlsProtocol() != null && outbound.tlsProtocol().startsWith("TLSv1."),
        () -> "outbound connection " + outbound);
    // Both clients connected through the JDK classes the agent instruments; the dump says so.
    List<String> instrumented = client.instrumentedTypes();
    for (String type :
        List.of(
            "java.net.InetAddress",
            "java.net.Socket",
            "sun.nio.ch.SocketChannelImpl",
            "sun.nio.ch.ServerSocketChannelImpl",
            "com.sun.net.httpserver.Filter$Chain")) {
      assertTrue(instrumented.contains(type), () -> type + " not in " + instrumented);
    }
  }

  @Test
  void jettyServiceIsMeshedInboundAndOutbound() throws Exception {
    assertArrivedOverMutualTls(a.awaitCallOk("http://j:" + j.port() + "/headers", "jdk"), a, j);
    assertArrivedOverMutualTls(j.awaitCallOk("http://b:" + b.port() + "/headers", "jdk"), j, b);
    assertArrivedOverMutualTls(
        j.awaitCallOk("http://b.default:" + b.port() + "/headers", "urlconnection"), j, b);
  }

  @Test
  @SuppressWarnings("unchecked")
  void callsFromWorkerThreadsAreMeshedToo() throws Exception {
    String toB = "http://b:" + b.port() + "/headers";
    String toJ = "http://j:" + j.port() + "/headers";
    a.awaitCallOk(toB, "jdk");
    a.awaitCallOk(toJ, "jdk");

    Http.Response response =
        a.get("/fanout?urls=" + URLEncoder.encode(toB + "," + toJ, StandardCharsets.UTF_8));

    assertEquals(200, response.status(), () -> "GET /fanout: " + response);
    List<Object> results = (List<Object>) Json.parse(response.body());
    assertEquals(2, results.size(), response::body);
    Map<String, Object> fromB = (Map<String, Object>) results.get(0);
    Map<String, Object> fromJ = (Map<String, Object>) results.get(1);
    assertEquals(200L, fromB.get("status"), response::body);
    assertEquals(200L, fromJ.get("status"), response::body);
    assertArrivedOverMutualTls((String) fromB.get("body"), a, b);
    assertArrivedOverMutualTls((String) fromJ.get("body"), a, j);
  }

  @Test
  void agentGivenThroughJavaToolOptionsMeshesTheApp() throws Exception {
    try (MeshApp t =
        MeshApp.builder("t", MeshApp.JDK_HTTP_SERVER)
            .attachment(AgentAttachment.JAVA_TOOL_OPTIONS)
            .joining(control)
            .start()) {
      t.awaitReady();

      assertArrivedOverMutualTls(t.awaitCallOk("http://b:" + b.port() + "/headers", "jdk"), t, b);
      assertArrivedOverMutualTls(
          t.callOk("http://b:" + b.port() + "/headers", "urlconnection"), t, b);
      assertArrivedOverMutualTls(a.awaitCallOk("http://t:" + t.port() + "/headers", "jdk"), a, t);

      List<String> stderr = t.process().stderrLines();
      assertFalse(
          stderr.stream().anyMatch(line -> line.contains("[jmesh]")),
          () -> "agent wrote to stderr: " + stderr);
    }
  }
}
