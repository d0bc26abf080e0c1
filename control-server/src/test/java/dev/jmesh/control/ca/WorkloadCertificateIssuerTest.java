package dev.jmesh.control.ca;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jmesh.api.SpiffeId;
import dev.jmesh.control.ApiException;
import dev.jmesh.control.MutableClock;
import dev.jmesh.control.TestCsrs;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import org.junit.jupiter.api.Test;

class WorkloadCertificateIssuerTest {

  private static final Instant CA_CREATED = Instant.parse("2025-01-01T00:00:00Z");
  private static final SpiffeId ORDERS = new SpiffeId("cluster.local", "default", "orders");

  private final MutableClock clock = new MutableClock(CA_CREATED);
  private final CertificateAuthority authority =
      CertificateAuthority.generate("cluster.local", clock);
  private final WorkloadCertificateIssuer issuer =
      new WorkloadCertificateIssuer(authority, Duration.ofHours(24), clock);

  @Test
  void leafCarriesOnlyTheSpiffeIdInACriticalSanWithAnEmptySubject() throws Exception {
    clock.advance(Duration.ofHours(1));
    KeyPair key = TestCsrs.ecKeyPair("secp256r1");

    X509Certificate leaf = issuer.issue(TestCsrs.csrPem(key), ORDERS, null);

    assertTrue(leaf.getCriticalExtensionOIDs().contains("2.5.29.17"), "SAN must be critical");
    Collection<List<?>> names = leaf.getSubjectAlternativeNames();
    assertEquals(
        List.of(List.of(6, "spiffe://cluster.local/ns/default/sa/orders")), List.copyOf(names));
    assertEquals("", leaf.getSubjectX500Principal().getName());
    assertEquals(key.getPublic(), leaf.getPublicKey());
    leaf.verify(authority.rootCertificate().getPublicKey());
  }

  @Test
  void leafIsAnEndEntityForServerAndClientAuth() throws Exception {
    X509Certificate leaf =
        issuer.issue(TestCsrs.csrPem(TestCsrs.ecKeyPair("secp256r1")), ORDERS, null);

    assertEquals(-1, leaf.getBasicConstraints(), "CA:false");
    assertEquals(List.of("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"), leaf.getExtendedKeyUsage());
    boolean[] keyUsage = leaf.getKeyUsage();
    assertTrue(keyUsage[0], "digitalSignature");
    assertTrue(keyUsage[2], "keyEncipherment");
    assertArrayEquals(
        new boolean[] {true, false, true, false, false, false, false, false, false}, keyUsage);
  }

  @Test
  void validityIsBackdatedTwoMinutesAndCappedByTheServerTtl() throws Exception {
    clock.advance(Duration.ofHours(1));
    Instant now = clock.instant();

    X509Certificate leaf =
        issuer.issue(TestCsrs.csrPem(TestCsrs.ecKeyPair("secp256r1")), ORDERS, Duration.ofDays(90));

    assertEquals(now.minus(Duration.ofMinutes(2)), leaf.getNotBefore().toInstant());
    assertEquals(now.plus(Duration.ofHours(24)), leaf.getNotAfter().toInstant());
  }

  @Test
  void shorterRequestedTtlIsHonoured() throws Exception {
    clock.advance(Duration.ofHours(1));
    X509Certificate leaf =
        issuer.issue(TestCsrs.csrPem(TestCsrs.ecKeyPair("secp256r1")), ORDERS, Duration.ofHours(1));

    assertEquals(clock.instant().plus(Duration.ofHours(1)), leaf.getNotAfter().toInstant());
  }

  @Test
  void notBeforeIsNeverBeforeTheCaNotBefore() throws Exception {
    X509Certificate leaf =
        issuer.issue(TestCsrs.csrPem(TestCsrs.ecKeyPair("secp256r1")), ORDERS, null);

    assertEquals(authority.rootCertificate().getNotBefore(), leaf.getNotBefore());
  }

  @Test
  void rsa2048IsAccepted() throws Exception {
    X509Certificate leaf = issuer.issue(TestCsrs.csrPem(TestCsrs.rsaKeyPair(2048)), ORDERS, null);
    assertEquals("RSA", leaf.getPublicKey().getAlgorithm());
  }

  @Test
  void weakOrOtherCurveKeysAreRejected() throws Exception {
    ApiException p384 =
        assertThrows(
            ApiException.class,
            () -> issuer.issue(TestCsrs.csrPem(TestCsrs.ecKeyPair("secp384r1")), ORDERS, null));
    assertEquals(400, p384.status());
    assertTrue(p384.getMessage().contains("EC P-256"), p384.getMessage());

    ApiException rsa1024 =
        assertThrows(
            ApiException.class,
            () -> issuer.issue(TestCsrs.csrPem(TestCsrs.rsaKeyPair(1024)), ORDERS, null));
    assertTrue(rsa1024.getMessage().contains("RSA 1024 bits"), rsa1024.getMessage());
  }

  @Test
  void csrWhoseSignatureDoesNotMatchItsKeyIsRejected() throws Exception {
    String good = TestCsrs.csrPem(TestCsrs.ecKeyPair("secp256r1"));
    org.bouncycastle.pkcs.PKCS10CertificationRequest csr =
        (org.bouncycastle.pkcs.PKCS10CertificationRequest) Pem.decodeFirst(good);
    byte[] der = csr.getEncoded();
    der[der.length - 5] ^= 0x01; // flip a bit inside the signature
    String tampered =
        "-----BEGIN CERTIFICATE REQUEST-----\n"
            + java.util.Base64.getMimeEncoder().encodeToString(der)
            + "\n-----END CERTIFICATE REQUEST-----\n";

    ApiException e = assertThrows(ApiException.class, () -> issuer.issue(tampered, ORDERS, null));
    assertEquals(400, e.status());
    assertTrue(e.getMessage().contains("signature"), e.getMessage());
  }

  @Test
  void csrAskingForAnotherIdentityIsRejected() throws Exception {
    String csr =
        TestCsrs.csrPem(
            TestCsrs.ecKeyPair("secp256r1"), "spiffe://cluster.local/ns/default/sa/payments");

    ApiException e = assertThrows(ApiException.class, () -> issuer.issue(csr, ORDERS, null));
    assertTrue(e.getMessage().contains("sa/payments"), e.getMessage());
  }

  @Test
  void csrAskingForTheSameIdentityIsAccepted() throws Exception {
    String csr = TestCsrs.csrPem(TestCsrs.ecKeyPair("secp256r1"), ORDERS.toString());
    X509Certificate leaf = issuer.issue(csr, ORDERS, null);
    assertEquals(ORDERS, SpiffeId.fromCertificate(leaf).orElseThrow());
  }

  @Test
  void garbageIsNotACsr() {
    ApiException e = assertThrows(ApiException.class, () -> issuer.issue("hello", ORDERS, null));
    assertEquals(400, e.status());
    assertNull(null);
  }
}
