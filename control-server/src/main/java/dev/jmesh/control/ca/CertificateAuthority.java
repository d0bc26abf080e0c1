package dev.jmesh.control.ca;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.HexFormat;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The mesh's root CA: its self-signed certificate and private key, and what everything else needs
 * from them (a signer, the issuer name, the SHA-256 that join tokens carry).
 */
public final class CertificateAuthority {

  static final Duration ROOT_VALIDITY = Duration.ofDays(3650);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final X509Certificate rootCertificate;
  private final PrivateKey rootKey;
  private final String sha256;

  public CertificateAuthority(X509Certificate rootCertificate, PrivateKey rootKey) {
    this.rootCertificate = rootCertificate;
    this.rootKey = rootKey;
    try {
      this.sha256 =
          HexFormat.of()
              .formatHex(MessageDigest.getInstance("SHA-256").digest(rootCertificate.getEncoded()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot hash the root certificate", e);
    }
  }

  /** A new self-signed EC P-256 root valid for ten years from now. */
  public static CertificateAuthority generate(String trustDomain, Clock clock) {
    try {
      KeyPair keyPair = newEcP256KeyPair();
      Instant notBefore = clock.instant().truncatedTo(ChronoUnit.SECONDS);
      X500Name name = new X500Name("O=" + trustDomain + ",CN=jmesh root CA");
      JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder builder =
          new JcaX509v3CertificateBuilder(
                  name,
                  randomSerial(),
                  Date.from(notBefore),
                  Date.from(notBefore.plus(ROOT_VALIDITY)),
                  name,
                  keyPair.getPublic())
              .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
              .addExtension(
                  Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
              .addExtension(
                  Extension.subjectKeyIdentifier,
                  false,
                  extensions.createSubjectKeyIdentifier(keyPair.getPublic()));
      X509Certificate certificate = Pem.toX509(builder.build(signerFor(keyPair.getPrivate())));
      return new CertificateAuthority(certificate, keyPair.getPrivate());
    } catch (Exception e) {
      throw new IllegalStateException("cannot generate the root CA", e);
    }
  }

  public static KeyPair newEcP256KeyPair() throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
    return generator.generateKeyPair();
  }

  /** A positive random 159-bit serial number (RFC 5280 allows at most 20 octets). */
  static BigInteger randomSerial() {
    return new BigInteger(159, RANDOM).setBit(0);
  }

  static ContentSigner signerFor(PrivateKey key) throws OperatorCreationException {
    String algorithm = "RSA".equals(key.getAlgorithm()) ? "SHA256withRSA" : "SHA256withECDSA";
    return new JcaContentSignerBuilder(algorithm).build(key);
  }

  ContentSigner signer() throws OperatorCreationException {
    return signerFor(rootKey);
  }

  X500Name issuerName() {
    return X500Name.getInstance(rootCertificate.getSubjectX500Principal().getEncoded());
  }

  PublicKey publicKey() {
    return rootCertificate.getPublicKey();
  }

  public X509Certificate rootCertificate() {
    return rootCertificate;
  }

  PrivateKey rootKey() {
    return rootKey;
  }

  public String rootCertificatePem() {
    return Pem.encode(rootCertificate);
  }

  /** SHA-256 (lower-case hex) of the root certificate's DER encoding, as join tokens carry it. */
  public String sha256() {
    return sha256;
  }
}
