package dev.jmesh.agent.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jmesh.agent.identity.CertificateSigningRequests;
import dev.jmesh.api.SpiffeId;
import java.security.KeyPair;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class MeshTrustManagerTest {

  private final TestPki pki = new TestPki();
  private final MeshTrustManager trust = new MeshTrustManager(pki.bundle());
  private final KeyPair key = CertificateSigningRequests.newKeyPair();

  private X509Certificate leaf(List<String> uris) {
    return pki.leaf(key.getPublic(), uris, Duration.ofHours(1), TestPki.serverAndClient());
  }

  private String rejection(X509Certificate... chain) {
    return assertThrows(CertificateException.class, () -> trust.validate(chain)).getMessage();
  }

  @Test
  void acceptsAMeshLeafAndNamesItsSpiffeId() throws CertificateException {
    SpiffeId id =
        trust.validate(new X509Certificate[] {leaf(List.of(pki.spiffeId("shop", "cart")))});
    assertEquals("spiffe://cluster.local/ns/shop/sa/cart", id.toString());
    assertEquals("shop", id.namespace());
  }

  @Test
  void acceptsAChainThatIncludesTheRoot() throws CertificateException {
    trust.validate(new X509Certificate[] {leaf(List.of(pki.spiffeId("a", "b"))), pki.root});
  }

  @Test
  void refusesALeafWithoutSpiffeId() {
    assertTrue(
        rejection(leaf(List.of("https://example.com/not-spiffe")))
            .contains("0 spiffe:// URI SANs"));
  }

  @Test
  void refusesALeafWithTwoSpiffeIds() {
    assertTrue(
        rejection(leaf(List.of(pki.spiffeId("a", "b"), pki.spiffeId("a", "c"))))
            .contains("2 spiffe:// URI SANs"));
  }

  @Test
  void refusesAnotherTrustDomain() {
    assertTrue(
        rejection(leaf(List.of("spiffe://example.org/ns/a/sa/b")))
            .contains("not in the trust domain cluster.local"));
  }

  @Test
  void refusesAnotherCa() {
    TestPki other = new TestPki("cluster.local", "other root");
    X509Certificate foreign =
        other.leaf(
            key.getPublic(),
            List.of(other.spiffeId("a", "b")),
            Duration.ofHours(1),
            TestPki.serverAndClient());
    assertTrue(rejection(foreign).contains("does not chain to the mesh trust bundle"));
  }

  @Test
  void refusesAnExpiredLeaf() {
    X509Certificate expired =
        pki.leaf(
            key.getPublic(),
            List.of(pki.spiffeId("a", "b")),
            Duration.ofSeconds(-60),
            TestPki.serverAndClient());
    assertTrue(rejection(expired).contains("does not chain"));
  }
}
