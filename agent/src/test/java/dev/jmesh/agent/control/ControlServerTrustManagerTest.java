package dev.jmesh.agent.control;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jmesh.agent.tls.TestPki;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import org.bouncycastle.asn1.x509.GeneralName;
import org.junit.jupiter.api.Test;

/** The host-name half of trusting a control server: its certificate names the host asked for. */
class ControlServerTrustManagerTest {

  private static final TestPki PKI = new TestPki();

  private static X509Certificate named(GeneralName... names) throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(256);
    return PKI.leafNamed(
        generator.generateKeyPair().getPublic(),
        List.of(names),
        Duration.ofHours(1),
        TestPki.serverAndClient());
  }

  @Test
  void ipAddressesMatchIpEntriesOnly() throws Exception {
    X509Certificate cert =
        named(
            new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
            new GeneralName(GeneralName.iPAddress, "::1"),
            new GeneralName(GeneralName.dNSName, "10.0.0.9"));
    assertTrue(ControlServerTrustManager.issuedFor(cert, "127.0.0.1"));
    assertTrue(ControlServerTrustManager.issuedFor(cert, "0:0:0:0:0:0:0:1"));
    assertTrue(ControlServerTrustManager.issuedFor(cert, "[::1]"));
    assertFalse(ControlServerTrustManager.issuedFor(cert, "127.0.0.2"));
    assertFalse(ControlServerTrustManager.issuedFor(cert, "10.0.0.9"), "a DNS entry is no IP");
  }

  @Test
  void namesMatchDnsEntriesWithOneWildcardLabel() throws Exception {
    X509Certificate cert =
        named(
            new GeneralName(GeneralName.dNSName, "jmesh-control.mesh.svc"),
            new GeneralName(GeneralName.dNSName, "*.control.example.org"));
    assertTrue(ControlServerTrustManager.issuedFor(cert, "JMESH-control.mesh.svc"));
    assertTrue(ControlServerTrustManager.issuedFor(cert, "jmesh-control.mesh.svc."));
    assertTrue(ControlServerTrustManager.issuedFor(cert, "eu.control.example.org"));
    assertFalse(ControlServerTrustManager.issuedFor(cert, "a.eu.control.example.org"));
    assertFalse(ControlServerTrustManager.issuedFor(cert, "control.example.org"));
    assertFalse(ControlServerTrustManager.issuedFor(cert, "mesh.svc"));
  }

  @Test
  void aCertificateWithOnlyAUriNamesNoHost() throws Exception {
    X509Certificate cert =
        named(new GeneralName(GeneralName.uniformResourceIdentifier, "spiffe://x/ns/a/sa/b"));
    assertFalse(ControlServerTrustManager.issuedFor(cert, "localhost"));
    assertFalse(ControlServerTrustManager.issuedFor(cert, "spiffe://x/ns/a/sa/b"));
  }
}
