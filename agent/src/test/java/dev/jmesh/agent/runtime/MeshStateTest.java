package dev.jmesh.agent.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jmesh.api.MeshSnapshot;
import dev.jmesh.api.PolicyResource;
import dev.jmesh.api.ServiceInstance;
import dev.jmesh.policy.MtlsMode;
import dev.jmesh.policy.PolicyException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MeshStateTest {

  private final MeshState state = new MeshState("default", Map.of("app", "orders"));

  private static PolicyResource peerAuthentication(String namespace, String name, Object mode) {
    return new PolicyResource(
        "security.istio.io/v1",
        "PeerAuthentication",
        namespace,
        name,
        1,
        1,
        Map.of("mtls", Map.of("mode", mode)));
  }

  private static MeshSnapshot snapshot(long version, PolicyResource... policies) {
    return new MeshSnapshot(
        version,
        "cluster.local",
        "istio-system",
        List.of(policies),
        List.of(
            new ServiceInstance(
                "i1",
                "orders",
                "default",
                "spiffe://cluster.local/ns/default/sa/orders",
                "127.0.0.1",
                List.of(8080),
                Map.of())));
  }

  @Test
  void beforeAnySnapshotThereIsNoDecision() {
    assertNull(state.decide(8080));
    assertTrue(!state.hasSnapshot());
  }

  @Test
  void noPolicyMeansPermissive() throws Exception {
    state.apply(snapshot(1));
    assertEquals(MtlsMode.PERMISSIVE, state.decide(8080).mode());
    assertEquals("none", state.decide(8080).source());
    assertTrue(state.hasService("default", "orders"));
    assertTrue(state.firstSnapshot().isDone());
  }

  @Test
  void meshWidePolicyAppliesAndNamesItself() throws Exception {
    state.apply(snapshot(1, peerAuthentication("istio-system", "default", "STRICT")));
    assertEquals(MtlsMode.STRICT, state.decide(8080).mode());
    assertEquals("istio-system/default", state.decide(8080).source());
  }

  @Test
  void anInvalidSnapshotIsRejectedAndTheLastGoodOneStays() throws Exception {
    state.apply(snapshot(1, peerAuthentication("default", "strict", "STRICT")));
    PolicyException rejected =
        assertThrows(
            PolicyException.class,
            () -> state.apply(snapshot(2, peerAuthentication("default", "strict", "STRICTT"))));
    assertTrue(rejected.getMessage().contains("STRICTT"), rejected.getMessage());
    assertEquals(1, state.current().version());
    assertEquals(MtlsMode.STRICT, state.decide(8080).mode());
  }
}
