package dev.jmesh.smoke;

import static dev.jmesh.smoke.MeshAssertions.assertArrivedOverMutualTls;
import static dev.jmesh.smoke.MeshAssertions.assertNoClientIdentity;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * PeerAuthentication on running agents: a mesh-wide policy in istio-system switches b's port
 * between STRICT (only mesh clients with a mesh certificate get through; nothing else reaches the
 * app) and PERMISSIVE (plaintext served too), without restarting anything; invalid policy is
 * refused at the door and the stored policy stays in force.
 */
@ExtendWith(PrintProcessOutputOnFailure.class)
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class MtlsModeSmokeTest {

  static final String POLICY_NAME = "mesh-mtls";

  private static ControlServer control;
  private static MeshApp a;
  private static MeshApp b;
  private static SSLContext foreignClient;

  @BeforeAll
  static void startMesh() throws Exception {
    control = ControlServer.start();
    a = MeshApp.builder("a", MeshApp.JDK_HTTP_SERVER).joining(control).start();
    b = MeshApp.builder("b", MeshApp.JDK_HTTP_SERVER).joining(control).start();
    // While the JVMs start: a client certificate from another CA, claiming to be a.
    foreignClient = ForeignCertificate.clientContext(a.spiffeId());
    a.awaitReady();
    b.awaitReady();
  }

  @AfterAll
  static void stopMesh() {
    SmokeEnvironment.closeAll(a, b, control);
  }

  /** Every test starts from a PERMISSIVE mesh. */
  @BeforeEach
  void permissiveMesh() {
    setMeshWideMode("PERMISSIVE");
  }

  static String peerAuthentication(String mode) {
    return """
        apiVersion: security.istio.io/v1
        kind: PeerAuthentication
        metadata:
          name: %s
          namespace: istio-system
        spec:
          mtls:
            mode: %s
        """.formatted(POLICY_NAME, mode);
  }

  private static void setMeshWideMode(String mode) {
    control.applyOk(peerAuthentication(mode));
    b.awaitConfigDump(
        mode + " on port " + b.port(), dump -> mode.equals(dump.mtlsModeForPort(b.port())));
  }

  private static void assertRefused(Http.RawExchange exchange, String what) {
    assertFalse(exchange.gotHttpAnswer(), () -> what + " got an HTTP answer: " + exchange);
    assertFalse(exchange.timedOut(), () -> what + " was left hanging: " + exchange);
  }

  @Test
  void strictRefusesPlaintextAndForeignCertificatesBeforeTheAppSeesThem() throws Exception {
    long servedBefore = b.count();
    setMeshWideMode("STRICT");

    assertRefused(Http.plaintextExchange(b.port(), "/hello"), "plaintext request");
    assertRefused(
        Http.tlsExchange(b.port(), "/hello", foreignClient),
        "TLS client with a certificate from another CA");
    assertRefused(
        Http.tlsExchange(b.port(), "/hello", ForeignCertificate.noClientCertificateContext()),
        "TLS client without a client certificate");

    setMeshWideMode("PERMISSIVE");
    assertEquals(servedBefore, b.count(), "requests b's app served while STRICT refused them");
  }

  @Test
  void permissiveServesPlaintextWithoutIdentityAndMeshCallsWithIt() throws Exception {
    Http.Response plaintext = b.get("/headers");
    assertEquals(200, plaintext.status(), () -> "plaintext GET /headers: " + plaintext);
    assertNoClientIdentity(plaintext.body());

    assertArrivedOverMutualTls(a.awaitCallOk("http://b:" + b.port() + "/headers", "jdk"), a, b);
  }

  @Test
  void plaintextClientCannotForgeTheClientCertificateHeader() throws Exception {
    String forged = "By=" + b.spiffeId() + ";URI=spiffe://cluster.local/ns/default/sa/admin";

    Http.Response response = Http.get(b.port(), "/headers", Map.of(MeshAssertions.XFCC, forged));

    assertEquals(200, response.status(), () -> "plaintext GET /headers: " + response);
    assertFalse(
        response.body().contains("sa/admin"),
        () -> "b's app saw the forged client identity: " + response.body());
  }

  @Test
  void forgedClientCertificateHeaderIsDroppedOnEveryRequestOfAConnection() throws Exception {
    String forged = "By=" + b.spiffeId() + ";URI=spiffe://cluster.local/ns/default/sa/admin";
    String host = "Host: 127.0.0.1:" + b.port() + "\r\n";
    // The JDK HttpClient's first request asks for an h2c upgrade the app's server ignores; the
    // connection stays HTTP/1.1, so later requests on it must still be sanitised.
    String refusedUpgrade =
        "GET /hello HTTP/1.1\r\n" + host
            + "Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n"
            + "HTTP2-Settings: AAEAAEAAAAIAAAAAAAMAAAAAAAQBAAAAAAUAAEAAAAYABgAA\r\n"
            + MeshAssertions.XFCC + ": " + forged + "\r\n\r\n";
    String plain =
        "GET /headers HTTP/1.1\r\n" + host + MeshAssertions.XFCC + ": " + forged + "\r\n\r\n";

    List<String> bodies =
        Http.sequentialExchanges(b.port(), List.of(plain, refusedUpgrade, plain, plain));

    assertEquals("hello from b", bodies.get(1));
    for (int i : new int[] {0, 2, 3}) {
      assertNoClientIdentity(bodies.get(i));
    }
  }

  @Test
  void modeChangesApplyToRunningAgentsWithoutRestart() throws Exception {
    long pid = b.process().process().pid();

    setMeshWideMode("STRICT");
    assertRefused(Http.plaintextExchange(b.port(), "/hello"), "plaintext request under STRICT");

    setMeshWideMode("PERMISSIVE");
    assertEquals(200, b.get("/hello").status(), "plaintext request under PERMISSIVE");

    setMeshWideMode("STRICT");
    assertRefused(Http.plaintextExchange(b.port(), "/hello"), "plaintext request under STRICT again");

    assertTrue(b.process().isAlive());
    assertEquals(pid, b.process().process().pid());
  }

  @Test
  void invalidPeerAuthenticationIsRefusedAndTheStoredPolicyStays() throws Exception {
    setMeshWideMode("STRICT");

    ControlServer.CliResult invalid = control.apply(peerAuthentication("STRICTT"));

    assertNotEquals(0, invalid.exitCode(), () -> "apply of mode STRICTT succeeded: " + invalid);
    assertTrue(
        invalid.stderr().contains("spec.mtls.mode"),
        () -> "apply error does not name spec.mtls.mode: " + invalid);

    ControlServer.CliResult stored =
        control.cliOk("get", "PeerAuthentication", POLICY_NAME, "-n", "istio-system", "-o", "yaml");
    assertTrue(stored.stdout().contains("name: " + POLICY_NAME), () -> "policy gone: " + stored);
    assertTrue(stored.stdout().contains("mode: STRICT\n"), () -> "stored mode: " + stored);

    assertEquals("STRICT", b.configDump().mtlsModeForPort(b.port()));
    assertRefused(Http.plaintextExchange(b.port(), "/hello"), "plaintext request under STRICT");
  }
}
