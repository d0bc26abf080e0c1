package dev.jmesh.agent.outbound;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MeshNamesTest {

  private final FakeDirectory directory =
      new FakeDirectory()
          .add("default", "orders", "127.0.0.1", 8080)
          .add("shop", "cart", "127.0.0.1", 8080);
  private final MeshNames names = new MeshNames("default", directory);

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(
      nullValues = "none",
      value = {
        "orders, default/orders",
        "ORDERS, default/orders",
        "orders., default/orders",
        "orders.default, default/orders",
        "orders.default.svc, default/orders",
        "orders.default.svc.cluster.local, default/orders",
        "cart, none",
        "cart.shop, shop/cart",
        "cart.shop.svc, shop/cart",
        "Cart.Shop.Svc.Cluster.Local, shop/cart",
        "unknown.shop.svc.cluster.local, shop/unknown",
        "unknown, none",
        "unknown.shop, none",
        "orders.shop, none",
        "example.com, none",
        "api.github.com, none",
        "orders.default.svc.example.org, none",
        "localhost, none",
        "127.0.0.1, none",
        "::1, none",
        "10.1.2.3, none",
      })
  void resolvesKubernetesStyleNames(String host, String expected) {
    ServiceName name = names.lookup(host);
    assertEquals(expected, name == null ? null : name.toString());
  }

  @ParameterizedTest(name = "{0} in trust domain example.org -> {1}")
  @CsvSource(
      nullValues = "none",
      value = {
        "orders.default.svc.example.org, default/orders",
        "orders.default.svc.cluster.local, default/orders",
      })
  void fullyQualifiedNamesUseTheSnapshotsTrustDomain(String host, String expected) {
    directory.trustDomain = "example.org";
    ServiceName name = names.lookup(host);
    assertEquals(expected, name == null ? null : name.toString());
  }
}
