package dev.jmesh.control.ca;

import dev.jmesh.api.SpiffeId;
import dev.jmesh.control.ApiException;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.pkcs.Attribute;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.RSAPublicKey;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;

/**
 * Turns an agent's CSR into an Istio-style workload certificate (SVID): empty subject, one critical
 * URI SAN with the SPIFFE ID, digitalSignature+keyEncipherment, serverAuth+clientAuth, CA:false.
 */
public final class WorkloadCertificateIssuer {

  static final Duration BACKDATE = Duration.ofMinutes(2);

  private final CertificateAuthority authority;
  private final Duration maxTtl;
  private final Clock clock;

  public WorkloadCertificateIssuer(CertificateAuthority authority, Duration maxTtl, Clock clock) {
    this.authority = authority;
    this.maxTtl = maxTtl;
    this.clock = clock;
  }

  /**
   * Issues a certificate for {@code identity} to the key in {@code csrPem}.
   *
   * @param requestedTtl null for the server's maximum
   * @throws ApiException 400 when the CSR is malformed, badly signed, has a weak key or asks for
   *     another identity
   */
  public X509Certificate issue(String csrPem, SpiffeId identity, Duration requestedTtl)
      throws ApiException {
    PKCS10CertificationRequest csr = parse(csrPem);
    checkKey(csr.getSubjectPublicKeyInfo());
    verifySignature(csr);
    checkRequestedNames(csr, identity);
    if (requestedTtl != null && (requestedTtl.isNegative() || requestedTtl.isZero())) {
      throw ApiException.badRequest("ttlSeconds must be positive, got " + requestedTtl.toSeconds());
    }
    Duration ttl =
        requestedTtl == null || requestedTtl.compareTo(maxTtl) > 0 ? maxTtl : requestedTtl;
    Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
    Instant caNotBefore = authority.rootCertificate().getNotBefore().toInstant();
    Instant caNotAfter = authority.rootCertificate().getNotAfter().toInstant();
    Instant notBefore = latest(now.minus(BACKDATE), caNotBefore);
    Instant notAfter = earliest(now.plus(ttl), caNotAfter);
    try {
      X509v3CertificateBuilder builder =
          new X509v3CertificateBuilder(
                  authority.issuerName(),
                  CertificateAuthority.randomSerial(),
                  Date.from(notBefore),
                  Date.from(notAfter),
                  new X500Name(new RDN[0]),
                  csr.getSubjectPublicKeyInfo())
              .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
              .addExtension(
                  Extension.keyUsage,
                  true,
                  new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment))
              .addExtension(
                  Extension.extendedKeyUsage,
                  false,
                  new ExtendedKeyUsage(
                      new KeyPurposeId[] {
                        KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth
                      }))
              .addExtension(
                  Extension.subjectAlternativeName,
                  true,
                  new GeneralNames(
                      new GeneralName(GeneralName.uniformResourceIdentifier, identity.toString())))
              .addExtension(
                  Extension.authorityKeyIdentifier,
                  false,
                  new JcaX509ExtensionUtils().createAuthorityKeyIdentifier(authority.publicKey()));
      return Pem.toX509(builder.build(authority.signer()));
    } catch (GeneralSecurityException | IOException | OperatorCreationException e) {
      throw new IllegalStateException("cannot issue a certificate for " + identity, e);
    }
  }

  private static PKCS10CertificationRequest parse(String csrPem) throws ApiException {
    if (csrPem == null || csrPem.isBlank()) {
      throw ApiException.badRequest("csrPem is missing from the certificate request");
    }
    Object pem;
    try {
      pem = Pem.decodeFirst(csrPem);
    } catch (IOException | RuntimeException e) {
      throw ApiException.badRequest("csrPem is not valid PEM: " + e.getMessage());
    }
    if (!(pem instanceof PKCS10CertificationRequest csr)) {
      throw ApiException.badRequest(
          "csrPem must hold a PEM PKCS#10 request (-----BEGIN CERTIFICATE REQUEST-----)");
    }
    return csr;
  }

  private static void verifySignature(PKCS10CertificationRequest csr) throws ApiException {
    boolean valid;
    try {
      valid =
          csr.isSignatureValid(
              new JcaContentVerifierProviderBuilder()
                  .build(new JcaPKCS10CertificationRequest(csr).getPublicKey()));
    } catch (Exception e) {
      throw ApiException.badRequest("csrPem signature cannot be checked: " + e.getMessage());
    }
    if (!valid) {
      throw ApiException.badRequest("csrPem signature does not verify with the CSR's public key");
    }
  }

  private static void checkKey(SubjectPublicKeyInfo key) throws ApiException {
    AlgorithmIdentifier algorithm = key.getAlgorithm();
    if (X9ObjectIdentifiers.id_ecPublicKey.equals(algorithm.getAlgorithm())) {
      if (algorithm.getParameters() instanceof ASN1ObjectIdentifier curve
          && SECObjectIdentifiers.secp256r1.equals(curve)) {
        return;
      }
      throw ApiException.badRequest(
          "csrPem public key is on EC curve "
              + algorithm.getParameters()
              + "; the control server accepts EC P-256 (secp256r1) or RSA of at least 2048 bits");
    }
    if (PKCSObjectIdentifiers.rsaEncryption.equals(algorithm.getAlgorithm())) {
      int bits;
      try {
        bits = RSAPublicKey.getInstance(key.parsePublicKey()).getModulus().bitLength();
      } catch (IOException e) {
        throw ApiException.badRequest("csrPem RSA public key cannot be decoded: " + e.getMessage());
      }
      if (bits >= 2048) {
        return;
      }
      throw ApiException.badRequest(
          "csrPem public key is RSA " + bits + " bits; the control server requires at least 2048");
    }
    throw ApiException.badRequest(
        "csrPem public key algorithm "
            + algorithm.getAlgorithm()
            + " is not accepted; use EC P-256 or RSA of at least 2048 bits");
  }

  /** The CSR may ask for nothing or for exactly the SPIFFE ID being issued; no other names. */
  private static void checkRequestedNames(PKCS10CertificationRequest csr, SpiffeId identity)
      throws ApiException {
    for (Attribute attribute :
        csr.getAttributes(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest)) {
      for (var value : attribute.getAttributeValues()) {
        Extensions extensions = Extensions.getInstance(value);
        GeneralNames names =
            GeneralNames.fromExtensions(extensions, Extension.subjectAlternativeName);
        if (names == null) {
          continue;
        }
        for (GeneralName name : names.getNames()) {
          boolean sameIdentity =
              name.getTagNo() == GeneralName.uniformResourceIdentifier
                  && identity.toString().equals(name.getName().toString());
          if (!sameIdentity) {
            throw ApiException.badRequest(
                "csrPem asks for the subject alternative name "
                    + name.getName()
                    + "; a certificate for "
                    + identity.path()
                    + " can carry only "
                    + identity);
          }
        }
      }
    }
  }

  private static Instant latest(Instant a, Instant b) {
    return a.isAfter(b) ? a : b;
  }

  private static Instant earliest(Instant a, Instant b) {
    return a.isBefore(b) ? a : b;
  }
}
