package dev.jmesh.control.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.jmesh.api.ApiError;
import dev.jmesh.api.CertificateRequest;
import dev.jmesh.api.CertificateResponse;
import dev.jmesh.api.InstanceRegistration;
import dev.jmesh.api.MeshSnapshot;
import dev.jmesh.api.RegistrationResponse;
import dev.jmesh.api.SnapshotAck;
import dev.jmesh.api.SpiffeId;
import dev.jmesh.control.ControlServer;
import dev.jmesh.control.Json;
import dev.jmesh.control.ServerSettings;
import dev.jmesh.control.TestCsrs;
import dev.jmesh.control.ca.Pem;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.zip.GZIPInputStream;
import javax.net.ssl.SSLSocket;
import org.bouncycastle.cert.X509CertificateHolder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real HTTPS server on an ephemeral port, driven over real TLS as an agent and an operator. */
class ControlServerHttpsTest {

  private static final String STRICT_DEFAULT =
      """
      apiVersion: security.istio.io/v1
      kind: PeerAuthentication
      metadata:
        name: default
      spec:
        mtls:
          mode: STRICT
      """;

  @TempDir Path dataDir;
  private ControlServer server;
  private TestHttp anonymous;
  private String adminToken;

  @BeforeEach
  void start() throws Exception {
    server = ControlServer.start(ServerSettings.defaults(dataDir).withPort(0));
    anonymous = new TestHttp(server.url(), root(), null);
    adminToken = Files.readString(dataDir.resolve("admin-token")).trim();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private X509Certificate root() {
    return server.authority().rootCertificate();
  }

  private HttpResponse<String> operator(String method, String path, String body) throws Exception {
    return anonymous.send(
        method,
        path,
        body,
        "Authorization",
        "Bearer " + adminToken,
        "Content-Type",
        path.startsWith("/v1/policies") ? "application/yaml" : "application/json");
  }

  private String joinToken(String namespace, String service) throws Exception {
    String body =
        Json.MAPPER.writeValueAsString(
            Map.of("namespace", namespace, "service", service, "ttlSeconds", 3600));
    HttpResponse<String> response = operator("POST", "/v1/tokens", body);
    assertEquals(200, response.statusCode(), response.body());
    return Json.MAPPER.readTree(response.body()).path("token").asText();
  }

  private record Workload(KeyPair key, X509Certificate certificate, TestHttp http) {}

  private Workload join(String namespace, String service) throws Exception {
    KeyPair key = TestCsrs.ecKeyPair("secp256r1");
    String request =
        Json.MAPPER.writeValueAsString(
            new CertificateRequest(TestCsrs.csrPem(key), namespace, service, null));
    HttpResponse<String> response =
        anonymous.send(
            "POST",
            "/v1/certificates",
            request,
            "Authorization",
            "Bearer " + joinToken(namespace, service));
    assertEquals(200, response.statusCode(), response.body());
    CertificateResponse issued = Json.MAPPER.readValue(response.body(), CertificateResponse.class);
    X509Certificate certificate =
        Pem.toX509((X509CertificateHolder) Pem.decodeFirst(issued.certificateChainPem().get(0)));
    return new Workload(
        key, certificate, new TestHttp(server.url(), root(), key.getPrivate(), certificate));
  }

  private String register(Workload workload, String service, String namespace) throws Exception {
    InstanceRegistration registration =
        new InstanceRegistration(
            service, namespace, Map.of("version", "v1"), "127.0.0.1", List.of(8080), 15020, "test");
    HttpResponse<String> response =
        workload.http().send("POST", "/v1/instances", Json.MAPPER.writeValueAsString(registration));
    assertEquals(200, response.statusCode(), response.body());
    return Json.MAPPER.readValue(response.body(), RegistrationResponse.class).instanceId();
  }

  private static String error(HttpResponse<String> response) throws Exception {
    return Json.MAPPER.readValue(response.body(), ApiError.class).error();
  }

  private static void awaitTrue(BooleanSupplier condition, String what) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(10);
    }
  }

  @Test
  void agentGetsAWorkloadCertificateWithAJoinTokenOverTls() throws Exception {
    KeyPair key = TestCsrs.ecKeyPair("secp256r1");
    String request =
        Json.MAPPER.writeValueAsString(
            new CertificateRequest(TestCsrs.csrPem(key), "default", "orders", 3600L));

    HttpResponse<String> response =
        anonymous.send(
            "POST",
            "/v1/certificates",
            request,
            "Authorization",
            "Bearer " + joinToken("default", "orders"));

    assertEquals(200, response.statusCode(), response.body());
    CertificateResponse issued = Json.MAPPER.readValue(response.body(), CertificateResponse.class);
    assertEquals("spiffe://cluster.local/ns/default/sa/orders", issued.spiffeId());
    assertEquals(List.of(server.authority().rootCertificatePem()), issued.trustBundlePem());
    X509Certificate leaf =
        Pem.toX509((X509CertificateHolder) Pem.decodeFirst(issued.certificateChainPem().get(0)));
    leaf.verify(root().getPublicKey());
    assertEquals(
        new SpiffeId("cluster.local", "default", "orders"),
        SpiffeId.fromCertificate(leaf).orElseThrow());
    assertEquals(leaf.getNotAfter().getTime(), issued.notAfterEpochMillis());
  }

  @Test
  void tokenForAnotherServiceIsForbiddenAndUnknownTokenUnauthorized() throws Exception {
    String token = joinToken("default", "orders");
    String request =
        Json.MAPPER.writeValueAsString(
            new CertificateRequest(
                TestCsrs.csrPem(TestCsrs.ecKeyPair("secp256r1")), "default", "payments", null));

    HttpResponse<String> forbidden =
        anonymous.send("POST", "/v1/certificates", request, "Authorization", "Bearer " + token);
    assertEquals(403, forbidden.statusCode());
    assertTrue(
        error(forbidden)
            .endsWith(
                "allows namespace 'default' service 'orders'; the request asks for"
                    + " ns/default/sa/payments"),
        forbidden.body());

    String unknown =
        "jmesh1.0123456789abcdef." + "1".repeat(64) + "." + server.authority().sha256();
    HttpResponse<String> unauthorized =
        anonymous.send("POST", "/v1/certificates", request, "Authorization", "Bearer " + unknown);
    assertEquals(401, unauthorized.statusCode());
    assertTrue(error(unauthorized).contains("is not known to this control server"));
  }

  @Test
  void workloadCertificateRenewsItsOwnIdentityOnly() throws Exception {
    Workload orders = join("default", "orders");
    String same =
        Json.MAPPER.writeValueAsString(
            new CertificateRequest(
                TestCsrs.csrPem(TestCsrs.ecKeyPair("secp256r1")), "default", "orders", null));
    String other =
        Json.MAPPER.writeValueAsString(
            new CertificateRequest(
                TestCsrs.csrPem(TestCsrs.ecKeyPair("secp256r1")), "default", "payments", null));

    assertEquals(200, orders.http().send("POST", "/v1/certificates", same).statusCode());
    HttpResponse<String> forbidden = orders.http().send("POST", "/v1/certificates", other);
    assertEquals(403, forbidden.statusCode());
  }

  @Test
  void registeredAgentReceivesASnapshotWithItsInstanceAndAcks() throws Exception {
    Workload orders = join("default", "orders");
    String instanceId = register(orders, "orders", "default");

    HttpResponse<String> response =
        orders.http().send("GET", "/v1/snapshot?instance=" + instanceId + "&version=0", null);

    assertEquals(200, response.statusCode(), response.body());
    MeshSnapshot snapshot = Json.MAPPER.readValue(response.body(), MeshSnapshot.class);
    assertEquals("cluster.local", snapshot.trustDomain());
    assertEquals("istio-system", snapshot.rootNamespace());
    assertEquals(instanceId, snapshot.instances().get(0).instanceId());
    assertEquals(
        "spiffe://cluster.local/ns/default/sa/orders", snapshot.instances().get(0).spiffeId());

    HttpResponse<String> ack =
        orders
            .http()
            .send(
                "POST",
                "/v1/snapshot/ack?instance=" + instanceId,
                Json.MAPPER.writeValueAsString(new SnapshotAck(snapshot.version(), true, null)));
    assertEquals(204, ack.statusCode());
    JsonNode instances = Json.MAPPER.readTree(operator("GET", "/v1/instances", null).body());
    assertEquals(snapshot.version(), instances.path("items").get(0).path("ackedVersion").asLong());
    assertEquals(
        orders.certificate().getNotAfter().getTime(),
        instances.path("items").get(0).path("certificateNotAfterEpochMillis").asLong());
  }

  @Test
  void snapshotIsGzippedWhenTheAgentAcceptsGzipAndDecodesToTheSameSnapshot() throws Exception {
    assertEquals(200, operator("POST", "/v1/policies", STRICT_DEFAULT).statusCode());
    Workload orders = join("default", "orders");
    String instanceId = register(orders, "orders", "default");
    String path = "/v1/snapshot?instance=" + instanceId + "&version=0";

    HttpResponse<byte[]> plain = orders.http().sendForBytes("GET", path, null);
    HttpResponse<byte[]> gzipped =
        orders.http().sendForBytes("GET", path, null, "Accept-Encoding", "gzip, deflate");
    HttpResponse<byte[]> refused =
        orders.http().sendForBytes("GET", path, null, "Accept-Encoding", "gzip;q=0, identity");

    assertEquals(200, plain.statusCode());
    assertTrue(plain.headers().firstValue("Content-Encoding").isEmpty());
    assertEquals(200, gzipped.statusCode());
    assertEquals("gzip", gzipped.headers().firstValue("Content-Encoding").orElse(null));
    assertTrue(refused.headers().firstValue("Content-Encoding").isEmpty());
    byte[] decoded;
    try (var in = new GZIPInputStream(new ByteArrayInputStream(gzipped.body()))) {
      decoded = in.readAllBytes();
    }
    assertArrayEquals(plain.body(), decoded);
    assertTrue(gzipped.body().length < plain.body().length);
    MeshSnapshot snapshot = Json.MAPPER.readValue(decoded, MeshSnapshot.class);
    assertEquals(Json.MAPPER.readValue(plain.body(), MeshSnapshot.class), snapshot);
    assertEquals(instanceId, snapshot.instances().get(0).instanceId());
    assertEquals("default", snapshot.policies().get(0).name());
  }

  @Test
  void longPollIsAnsweredWhenAPolicyChangesAndWith304WhenNothingDoes() throws Exception {
    Workload orders = join("default", "orders");
    String instanceId = register(orders, "orders", "default");
    long current = server.version().current();

    CompletableFuture<HttpResponse<String>> watch =
        orders
            .http()
            .sendAsync(
                "GET",
                "/v1/snapshot?instance=" + instanceId + "&version=" + current + "&waitSeconds=30",
                null);
    awaitTrue(() -> server.watchers().waiting() == 1, "the watch to be parked");
    assertEquals(200, operator("POST", "/v1/policies", STRICT_DEFAULT).statusCode());

    HttpResponse<String> changed = watch.get(10, TimeUnit.SECONDS);
    assertEquals(200, changed.statusCode(), changed.body());
    MeshSnapshot snapshot = Json.MAPPER.readValue(changed.body(), MeshSnapshot.class);
    assertEquals("default", snapshot.policies().get(0).name());
    assertTrue(snapshot.version() > current);

    HttpResponse<String> unchanged =
        orders
            .http()
            .send(
                "GET",
                "/v1/snapshot?instance="
                    + instanceId
                    + "&version="
                    + snapshot.version()
                    + "&waitSeconds=1",
                null);
    assertEquals(304, unchanged.statusCode());
  }

  @Test
  void aWatcherThatHungUpDoesNotHoldUpThePushToTheOthers() throws Exception {
    Workload orders = join("default", "orders");
    String instanceId = register(orders, "orders", "default");
    long current = server.version().current();
    String watch =
        "/v1/snapshot?instance=" + instanceId + "&version=" + current + "&waitSeconds=30";

    try (SSLSocket gone =
        (SSLSocket)
            TestHttp.tls(root(), orders.key().getPrivate(), orders.certificate())
                .getSocketFactory()
                .createSocket("127.0.0.1", server.port())) {
      gone.getOutputStream()
          .write(
              ("GET " + watch + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      gone.getOutputStream().flush();
      awaitTrue(() -> server.watchers().waiting() == 1, "the first watch to be parked");
    }
    CompletableFuture<HttpResponse<String>> staying = orders.http().sendAsync("GET", watch, null);
    awaitTrue(() -> server.watchers().waiting() == 2, "the second watch to be parked");

    assertEquals(200, operator("POST", "/v1/policies", STRICT_DEFAULT).statusCode());

    assertEquals(200, staying.get(10, TimeUnit.SECONDS).statusCode());
    awaitTrue(() -> server.watchers().waiting() == 0, "both watches to be answered");
    assertEquals(200, anonymous.send("GET", "/v1/trust-bundle", null).statusCode());
  }

  @Test
  void invalidPeerAuthenticationIs400NamingTheFieldAndStoresNothing() throws Exception {
    assertEquals(200, operator("POST", "/v1/policies", STRICT_DEFAULT).statusCode());
    long versionBefore = server.version().current();
    String invalid =
        """
        apiVersion: security.istio.io/v1
        kind: PeerAuthentication
        metadata:
          name: ok
        spec:
          mtls:
            mode: PERMISSIVE
        ---
        apiVersion: security.istio.io/v1
        kind: PeerAuthentication
        metadata:
          name: strict
        spec:
          mtls:
            mode: STRICTT
        """;

    HttpResponse<String> response = operator("POST", "/v1/policies?namespace=default", invalid);

    assertEquals(400, response.statusCode());
    assertEquals(
        "document 2 (PeerAuthentication default/strict): spec.mtls.mode: \"STRICTT\" is not one of"
            + " UNSET, DISABLE, PERMISSIVE, STRICT",
        error(response));
    JsonNode items =
        Json.MAPPER.readTree(operator("GET", "/v1/policies", null).body()).path("items");
    assertEquals(1, items.size());
    assertEquals("default", items.get(0).path("name").asText());
    assertEquals(versionBefore, server.version().current());
  }

  @Test
  void applyReportsActionsAndSkippedDocumentsAndPoliciesCanBeReadAndDeleted() throws Exception {
    String yaml = STRICT_DEFAULT + "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: web\n";

    JsonNode first = Json.MAPPER.readTree(operator("POST", "/v1/policies", yaml).body());
    JsonNode second = Json.MAPPER.readTree(operator("POST", "/v1/policies", yaml).body());

    assertEquals("created", first.path("results").get(0).path("action").asText());
    assertEquals("unchanged", second.path("results").get(0).path("action").asText());
    assertEquals("Service", first.path("skipped").get(0).path("kind").asText());
    assertEquals(
        200, operator("GET", "/v1/policies/peerauthentication/default/default", null).statusCode());
    assertEquals(
        1,
        Json.MAPPER
            .readTree(
                operator("GET", "/v1/policies/PeerAuthentication/default/default/history", null)
                    .body())
            .path("items")
            .size());
    assertEquals(
        200,
        operator("DELETE", "/v1/policies/PeerAuthentication/default/default", null).statusCode());
    HttpResponse<String> gone =
        operator("GET", "/v1/policies/PeerAuthentication/default/default", null);
    assertEquals(404, gone.statusCode());
    assertEquals("PeerAuthentication default/default does not exist", error(gone));
  }

  @Test
  void agentCallsNeedAWorkloadCertificateAndOperatorCallsTheAdminToken() throws Exception {
    HttpResponse<String> noCertificate =
        anonymous.send(
            "POST", "/v1/instances", "{\"service\":\"orders\",\"namespace\":\"default\"}");
    assertEquals(401, noCertificate.statusCode());
    assertTrue(error(noCertificate).contains("workload certificate"));

    HttpResponse<String> noToken = anonymous.send("GET", "/v1/status", null);
    assertEquals(401, noToken.statusCode());
    HttpResponse<String> wrongToken =
        anonymous.send("GET", "/v1/status", null, "Authorization", "Bearer nope");
    assertEquals(401, wrongToken.statusCode());
  }

  @Test
  void agentCannotRegisterAsAnotherServiceOrTouchAnotherInstance() throws Exception {
    Workload orders = join("default", "orders");
    Workload payments = join("default", "payments");
    String ordersInstance = register(orders, "orders", "default");

    InstanceRegistration impostor =
        new InstanceRegistration("orders", "default", Map.of(), "127.0.0.1", List.of(1), null, "t");
    assertEquals(
        403,
        payments
            .http()
            .send("POST", "/v1/instances", Json.MAPPER.writeValueAsString(impostor))
            .statusCode());
    assertEquals(
        403, payments.http().send("DELETE", "/v1/instances/" + ordersInstance, null).statusCode());
    assertEquals(
        204, orders.http().send("DELETE", "/v1/instances/" + ordersInstance, null).statusCode());
    assertEquals(
        404,
        orders
            .http()
            .send(
                "PUT", "/v1/instances/" + ordersInstance, Json.MAPPER.writeValueAsString(impostor))
            .statusCode());
    assertFalse(server.registry().get(ordersInstance).isPresent());
  }

  @Test
  void trustBundleIsPublicAndUnknownPathsAreApiErrors() throws Exception {
    HttpResponse<String> bundle = anonymous.send("GET", "/v1/trust-bundle", null);
    assertEquals(200, bundle.statusCode());
    assertTrue(bundle.body().contains("BEGIN CERTIFICATE"));

    HttpResponse<String> missing = anonymous.send("GET", "/v1/nothing", null);
    assertEquals(404, missing.statusCode());
    assertTrue(error(missing).contains("/v1/nothing"));
  }
}
