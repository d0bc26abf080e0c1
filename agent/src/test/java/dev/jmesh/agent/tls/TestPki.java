package dev.jmesh.agent.tls;

import dev.jmesh.agent.identity.CertificateSigningRequests;
import dev.jmesh.agent.identity.IdentityStore;
import dev.jmesh.agent.identity.MeshTrustBundle;
import dev.jmesh.agent.identity.WorkloadCertificate;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** A throw-away mesh CA for tests: a root and SPIFFE leaf certificates signed by it. */
public final class TestPki {

  private static final AtomicLong SERIAL = new AtomicLong(System.nanoTime());

  public final String trustDomain;
  public final KeyPair rootKey;
  public final X509Certificate root;

  public TestPki() {
    this("cluster.local", "jmesh test root");
  }

  public TestPki(String trustDomain, String rootName) {
    this.trustDomain = trustDomain;
    this.rootKey = CertificateSigningRequests.newKeyPair();
    this.root = rootCertificate(rootKey, rootName);
  }

  public MeshTrustBundle bundle() {
    return new MeshTrustBundle(trustDomain, List.of(root));
  }

  public String spiffeId(String namespace, String service) {
    return "spiffe://" + trustDomain + "/ns/" + namespace + "/sa/" + service;
  }

  /** A fresh key and a leaf for {@code ns/service}, valid for {@code ttl}. */
  public WorkloadCertificate workload(String namespace, String service, Duration ttl) {
    KeyPair key = CertificateSigningRequests.newKeyPair();
    String id = spiffeId(namespace, service);
    return new WorkloadCertificate(
        key.getPrivate(), List.of(leaf(key.getPublic(), List.of(id), ttl, serverAndClient())), id);
  }

  public WorkloadCertificate workload(String namespace, String service) {
    return workload(namespace, service, Duration.ofHours(1));
  }

  /** An identity store that already holds a certificate for {@code ns/service}. */
  public IdentityStore identity(String namespace, String service) {
    IdentityStore store = new IdentityStore();
    store.update(workload(namespace, service), bundle());
    return store;
  }

  /** A leaf with arbitrary URI SANs (none, several, another trust domain). */
  public X509Certificate leaf(PublicKey key, List<String> uris, Duration ttl, KeyPurposeId[] ekus) {
    return leafNamed(
        key,
        uris.stream().map(u -> new GeneralName(GeneralName.uniformResourceIdentifier, u)).toList(),
        ttl,
        ekus);
  }

  /** A leaf with these subject alternative names (DNS, IP, URI, …). */
  public X509Certificate leafNamed(
      PublicKey key, List<GeneralName> names, Duration ttl, KeyPurposeId[] ekus) {
    try {
      Instant now = Instant.now();
      X509v3CertificateBuilder builder =
          new JcaX509v3CertificateBuilder(
              X500Name.getInstance(root.getSubjectX500Principal().getEncoded()),
              BigInteger.valueOf(SERIAL.incrementAndGet()),
              Date.from(now.minusSeconds(120)),
              Date.from(now.plus(ttl)),
              new X500Name(new org.bouncycastle.asn1.x500.RDN[0]),
              key);
      if (!names.isEmpty()) {
        builder.addExtension(
            Extension.subjectAlternativeName,
            true,
            new GeneralNames(names.toArray(GeneralName[]::new)));
      }
      builder.addExtension(
          Extension.keyUsage,
          true,
          new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
      builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(ekus));
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      return new JcaX509CertificateConverter()
          .getCertificate(
              builder.build(
                  new JcaContentSignerBuilder("SHA256withECDSA").build(rootKey.getPrivate())));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  public static KeyPurposeId[] serverAndClient() {
    return new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth};
  }

  private static X509Certificate rootCertificate(KeyPair key, String name) {
    try {
      Instant now = Instant.now();
      X500Name subject = new X500Name("CN=" + name);
      X509v3CertificateBuilder builder =
          new JcaX509v3CertificateBuilder(
              subject,
              BigInteger.valueOf(SERIAL.incrementAndGet()),
              Date.from(now.minus(Duration.ofDays(1))),
              Date.from(now.plus(Duration.ofDays(365))),
              subject,
              key.getPublic());
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
      builder.addExtension(
          Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      return new JcaX509CertificateConverter()
          .getCertificate(
              builder.build(
                  new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate())));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
