package dev.jmesh.agent.identity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.KeyPair;
import java.security.interfaces.ECPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.random.RandomGenerator;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class IdentityTest {

  @Test
  void csrIsSignedByTheP256KeyAndHasAnEmptySubject() throws Exception {
    KeyPair key = CertificateSigningRequests.newKeyPair();
    assertEquals(
        256, ((ECPublicKey) key.getPublic()).getParams().getCurve().getField().getFieldSize());
    String pem = CertificateSigningRequests.csrPem(key);
    assertTrue(pem.startsWith("-----BEGIN CERTIFICATE REQUEST-----\n"));
    PKCS10CertificationRequest csr;
    try (PEMParser parser = new PEMParser(new java.io.StringReader(pem))) {
      csr = (PKCS10CertificationRequest) parser.readObject();
    }
    assertTrue(
        csr.isSignatureValid(new JcaContentVerifierProviderBuilder().build(key.getPublic())));
    assertEquals("", csr.getSubject().toString());
    assertArrayEquals(
        key.getPublic().getEncoded(),
        new JcaPKCS10CertificationRequest(csr).getPublicKey().getEncoded());
  }

  @Test
  void csrIsTheSameStructureBouncyCastlesBuilderMakes() throws Exception {
    KeyPair key = CertificateSigningRequests.newKeyPair();
    PKCS10CertificationRequest ours =
        new PKCS10CertificationRequest(CertificateSigningRequests.csrDer(key));
    PKCS10CertificationRequest bouncyCastles =
        new org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder(
                new org.bouncycastle.asn1.x500.X500Name(new org.bouncycastle.asn1.x500.RDN[0]),
                key.getPublic())
            .build(
                new org.bouncycastle.operator.jcajce.JcaContentSignerBuilder("SHA256withECDSA")
                    .build(key.getPrivate()));

    // ECDSA signatures differ on every call; everything that is signed, and the algorithm, not.
    assertArrayEquals(
        bouncyCastles.toASN1Structure().getCertificationRequestInfo().getEncoded("DER"),
        ours.toASN1Structure().getCertificationRequestInfo().getEncoded("DER"));
    assertEquals(bouncyCastles.getSignatureAlgorithm(), ours.getSignatureAlgorithm());
    assertTrue(
        ours.isSignatureValid(new JcaContentVerifierProviderBuilder().build(key.getPublic())));
  }

  @Test
  void derLengthsOfOneTwoAndThreeBytes() {
    assertArrayEquals(new byte[] {0x04, 0x01, 0x07}, CertificateSigningRequests.tagged(0x04, new byte[] {7}));
    byte[] medium = CertificateSigningRequests.tagged(0x04, new byte[200]);
    assertArrayEquals(new byte[] {0x04, (byte) 0x81, (byte) 200}, java.util.Arrays.copyOf(medium, 3));
    assertEquals(203, medium.length);
    byte[] large = CertificateSigningRequests.tagged(0x04, new byte[300]);
    assertArrayEquals(new byte[] {0x04, (byte) 0x82, 0x01, 0x2C}, java.util.Arrays.copyOf(large, 4));
    assertEquals(304, large.length);
  }

  /** A random source that always returns {@code value}. */
  private static RandomGenerator fixed(double value) {
    return new RandomGenerator() {
      @Override
      public long nextLong() {
        return 0;
      }

      @Override
      public double nextDouble() {
        return value;
      }
    };
  }

  @ParameterizedTest(name = "lifetime {0}s, random {1} -> renew after {2}ms")
  @CsvSource({
    "86400, 0.5, 43200000", // half of 24h
    "86400, 0.0, 34560000", // -10%
    "86400, 1.0, 51840000", // +10%
    "4, 0.5, 2000", // a few seconds works too
    "0, 0.5, 200", // never a busy loop
  })
  void renewsAtHalfLifeWithTenPercentJitter(long lifetimeSeconds, double random, long delayMillis) {
    Instant received = Instant.parse("2030-01-01T00:00:00Z");
    Duration delay =
        RenewalSchedule.delayUntilRenewal(
            received, received.plusSeconds(lifetimeSeconds), received, fixed(random));
    assertEquals(delayMillis, delay.toMillis());
  }
}
