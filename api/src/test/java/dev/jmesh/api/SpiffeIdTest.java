package dev.jmesh.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class SpiffeIdTest {

  @Test
  void parsesTheKubernetesStyleIdentity() {
    assertEquals(
        Optional.of(new SpiffeId("cluster.local", "shop", "orders")),
        SpiffeId.parse("spiffe://cluster.local/ns/shop/sa/orders"));
    assertEquals(
        "spiffe://cluster.local/ns/shop/sa/orders",
        new SpiffeId("cluster.local", "shop", "orders").toString());
    assertEquals("ns/shop/sa/orders", new SpiffeId("cluster.local", "shop", "orders").path());
  }

  @Test
  void refusesOtherShapes() {
    assertTrue(SpiffeId.parse("spiffe://cluster.local/workload/orders").isEmpty());
    assertTrue(SpiffeId.parse("https://cluster.local/ns/shop/sa/orders").isEmpty());
    assertTrue(SpiffeId.parse(null).isEmpty());
  }

  @Test
  void namesMustBeDnsLike() {
    assertTrue(SpiffeId.isValidName("orders-v2"));
    assertFalse(SpiffeId.isValidName("orders/admin"));
    assertFalse(SpiffeId.isValidName(""));
  }
}
