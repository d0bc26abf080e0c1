package dev.jmesh.control.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jmesh.api.InstanceRegistration;
import dev.jmesh.api.SnapshotAck;
import dev.jmesh.api.SpiffeId;
import dev.jmesh.control.MutableClock;
import dev.jmesh.control.snapshot.MeshVersion;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InstanceRegistryTest {

  private static final SpiffeId ORDERS = new SpiffeId("cluster.local", "default", "orders");
  private static final InstanceRegistration REGISTRATION =
      new InstanceRegistration(
          "orders", "default", Map.of("version", "v1"), "127.0.0.1", List.of(8080), null, "test");

  private final MutableClock clock = new MutableClock(Instant.parse("2025-03-01T10:00:00Z"));
  private final MeshVersion version = new MeshVersion(100);
  private final InstanceRegistry registry =
      new InstanceRegistry(version, Duration.ofSeconds(5), clock);

  private RegisteredInstance register() {
    return registry.register(ORDERS, REGISTRATION, "127.0.0.1", 0);
  }

  @Test
  void expiryIsThreeHeartbeatIntervals() {
    assertEquals(5, registry.heartbeatIntervalSeconds());
    assertEquals(15, registry.expirySeconds());
  }

  @Test
  void instanceWithoutHeartbeatsExpiresAfterExpirySeconds() {
    String id = register().instanceId();

    clock.advance(Duration.ofSeconds(15));
    assertEquals(0, registry.expireStale(), "exactly at the expiry it is still live");
    clock.advance(Duration.ofMillis(1));

    assertEquals(1, registry.expireStale());
    assertTrue(registry.get(id).isEmpty());
    assertTrue(registry.live().isEmpty());
  }

  @Test
  void heartbeatsKeepAnInstanceAlive() {
    String id = register().instanceId();
    for (int i = 0; i < 10; i++) {
      clock.advance(Duration.ofSeconds(5));
      assertTrue(registry.heartbeat(id, REGISTRATION, "127.0.0.1", 0).isPresent());
    }

    assertEquals(0, registry.expireStale());
    assertEquals(
        List.of(id), registry.live().stream().map(RegisteredInstance::instanceId).toList());
  }

  @Test
  void heartbeatOfAnExpiredInstanceIsRefusedSoTheAgentRegistersAgain() {
    String id = register().instanceId();
    clock.advance(Duration.ofSeconds(16));

    assertTrue(registry.heartbeat(id, REGISTRATION, "127.0.0.1", 0).isEmpty());
  }

  @Test
  void registerExpiryAndDeregistrationEachBumpTheVersion() {
    String first = register().instanceId();
    assertEquals(101, version.current());
    register();
    assertEquals(102, version.current());

    assertTrue(registry.deregister(first));
    assertEquals(103, version.current());

    clock.advance(Duration.ofSeconds(16));
    registry.expireStale();
    assertEquals(104, version.current());
  }

  @Test
  void heartbeatBumpsTheVersionOnlyWhenWhatAgentsSeeChanges() {
    String id = register().instanceId();
    long before = version.current();

    registry.heartbeat(id, REGISTRATION, "127.0.0.1", 0);
    assertEquals(before, version.current());

    InstanceRegistration newPorts =
        new InstanceRegistration(
            "orders",
            "default",
            Map.of("version", "v1"),
            "127.0.0.1",
            List.of(8080, 9090),
            null,
            "test");
    registry.heartbeat(id, newPorts, "127.0.0.1", 0);
    assertEquals(before + 1, version.current());
    assertEquals(List.of(8080, 9090), registry.get(id).orElseThrow().instance().ports());
  }

  @Test
  void ackAndNackAreRecorded() {
    String id = register().instanceId();

    registry.recordAck(id, new SnapshotAck(7, true, null));
    RegisteredInstance acked = registry.get(id).orElseThrow();
    assertEquals(7L, acked.ackedVersion());
    assertNull(acked.nackError());

    registry.recordAck(id, new SnapshotAck(8, false, "spec.mtls.mode: bad"));
    RegisteredInstance nacked = registry.get(id).orElseThrow();
    assertEquals(7L, nacked.ackedVersion(), "a NACK keeps the last applied version");
    assertEquals("spec.mtls.mode: bad", nacked.nackError());
  }

  @Test
  void ackOfUnknownInstanceIsReported() {
    assertFalse(registry.recordAck("nope", new SnapshotAck(1, true, null)));
  }
}
