package dev.jmesh.agent.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jmesh.api.ApiError;
import dev.jmesh.api.CertificateRequest;
import dev.jmesh.api.CertificateResponse;
import dev.jmesh.api.EdgeStats;
import dev.jmesh.api.InstanceRegistration;
import dev.jmesh.api.MeshSnapshot;
import dev.jmesh.api.PolicyResource;
import dev.jmesh.api.RegistrationResponse;
import dev.jmesh.api.ServiceInstance;
import dev.jmesh.api.SnapshotAck;
import dev.jmesh.api.StatsReport;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The agent's JSON against the control server's (jackson-databind, as the server runs it): every
 * record of the agent API written by one is read back equal by the other.
 */
class JsonTest {

  private static final ObjectMapper SERVER = new ObjectMapper();

  private static final MeshSnapshot SNAPSHOT =
      new MeshSnapshot(
          42,
          "example.org",
          "istio-system",
          List.of(
              new PolicyResource(
                  "security.istio.io/v1",
                  "PeerAuthentication",
                  "shop",
                  "default",
                  3,
                  17,
                  tree())),
          List.of(
              new ServiceInstance(
                  "i-1",
                  "orders",
                  "shop",
                  "spiffe://example.org/ns/shop/sa/orders",
                  "127.0.0.1",
                  List.of(8080, 9090),
                  Map.of("version", "v2"))));

  private static Map<String, Object> tree() {
    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put("mtls", Map.of("mode", "STRICT"));
    spec.put("portLevelMtls", Map.of("8080", Map.of("mode", "DISABLE")));
    spec.put("small", 7);
    spec.put("large", 5_000_000_000L);
    spec.put("huge", new BigInteger("123456789012345678901234567890"));
    spec.put("weight", 0.25);
    spec.put("flags", List.of(true, false, "x"));
    spec.put("nothing", null);
    return spec;
  }

  @Test
  void readsWhatTheServerWrites() throws IOException {
    List<Object> records =
        List.of(
            SNAPSHOT,
            new CertificateResponse("spiffe://x/ns/a/sa/b", List.of("c1", "c2"), List.of("r"), 99L),
            new RegistrationResponse("i-9", 5, 30),
            new ApiError("the join token is not known"));
    for (Object record : records) {
      byte[] json = SERVER.writeValueAsBytes(record);
      assertEquals(record, Json.read(json, record.getClass()), new String(json));
    }
  }

  @Test
  void writesWhatTheServerReads() throws IOException {
    List<Object> records =
        List.of(
            new CertificateRequest("-----BEGIN CERTIFICATE REQUEST-----\n", "shop", "orders", null),
            new InstanceRegistration(
                "orders", "shop", Map.of("app", "orders"), "127.0.0.1", List.of(8080), null, "0.1"),
            new SnapshotAck(42, false, "PeerAuthentication shop/default: \"mode\" is \u00e9"),
            new StatsReport(
                5000,
                List.of(
                    new EdgeStats(
                        "destination", "web", "shop", "orders", "shop", true, "http", 10, 1,
                        List.of(1L, 2L, 3L), 12.5, 2, 1, 300, 400, 0))));
    for (Object record : records) {
      byte[] json = Json.write(record);
      assertEquals(record, SERVER.readValue(json, record.getClass()), new String(json));
    }
  }

  @Test
  void readsGenericTreesAsDatabindDoes() throws IOException {
    byte[] json = SERVER.writeValueAsBytes(SNAPSHOT);
    Map<String, Object> spec = Json.read(json, MeshSnapshot.class).policies().get(0).spec();
    assertEquals(Integer.class, spec.get("small").getClass());
    assertEquals(Long.class, spec.get("large").getClass());
    assertEquals(BigInteger.class, spec.get("huge").getClass());
    assertEquals(Double.class, spec.get("weight").getClass());
    assertEquals(SERVER.readValue(json, MeshSnapshot.class), Json.read(json, MeshSnapshot.class));
  }

  @Test
  void skipsFieldsItDoesNotKnowAndDefaultsThoseThatAreMissing() throws IOException {
    String json = "{\"instanceId\":\"i-1\",\"future\":{\"nested\":[1,{\"a\":2}]},\"later\":[]}";
    assertEquals(
        new RegistrationResponse("i-1", 0, 0),
        Json.read(json.getBytes(StandardCharsets.UTF_8), RegistrationResponse.class));
  }

  @Test
  void namesTheFieldThatHasTheWrongType() {
    String json = "{\"version\":7,\"policies\":[{\"kind\":\"PeerAuthentication\",\"createdIndex\":\"x\"}]}";
    IOException e =
        assertThrows(
            IOException.class,
            () -> Json.read(json.getBytes(StandardCharsets.UTF_8), MeshSnapshot.class));
    assertTrue(
        e.getMessage().startsWith("MeshSnapshot.policies[0].createdIndex must be a whole number"),
        e.getMessage());
    assertTrue(e.getMessage().contains("line 1"), e.getMessage());
  }

  @Test
  void refusesBrokenJson() {
    assertThrows(
        IOException.class,
        () -> Json.read("{\"error\":".getBytes(StandardCharsets.UTF_8), ApiError.class));
    assertThrows(
        IOException.class,
        () -> Json.read("{\"error\":\"a\"} {}".getBytes(StandardCharsets.UTF_8), ApiError.class));
    assertThrows(IOException.class, () -> Json.read(new byte[0], ApiError.class));
  }

  @Test
  void writesTreesInTheirOwnOrderIndentedOnRequest() throws IOException {
    Map<String, Object> dump = new LinkedHashMap<>();
    dump.put("b", 1);
    dump.put("a", List.of("x", 2.5, false));
    dump.put("n", null);
    assertEquals(
        "{\"b\":1,\"a\":[\"x\",2.5,false],\"n\":null}",
        new String(Json.write(dump), StandardCharsets.UTF_8));
    assertEquals(SERVER.readTree(Json.write(dump)), SERVER.readTree(Json.writeIndented(dump)));
    assertTrue(new String(Json.writeIndented(dump), StandardCharsets.UTF_8).contains("\n"));
  }
}
