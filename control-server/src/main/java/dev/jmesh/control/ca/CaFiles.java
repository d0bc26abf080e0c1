package dev.jmesh.control.ca;

import dev.jmesh.control.store.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Date;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * Where the CA lives on disk: {@code <data-dir>/ca/root-cert.pem} and {@code root-key.pem} (made on
 * first start), or PEM files the operator brings. Either the whole CA loads or nothing does.
 */
public final class CaFiles {

  public static final String ROOT_CERT_FILE = "root-cert.pem";
  public static final String ROOT_KEY_FILE = "root-key.pem";

  private CaFiles() {}

  /** Loads the CA kept in {@code caDirectory}, making and saving a new one if there is none yet. */
  public static CertificateAuthority loadOrCreate(Path caDirectory, String trustDomain, Clock clock)
      throws CaException {
    Path certFile = caDirectory.resolve(ROOT_CERT_FILE);
    Path keyFile = caDirectory.resolve(ROOT_KEY_FILE);
    boolean certExists = Files.exists(certFile);
    boolean keyExists = Files.exists(keyFile);
    if (certExists && keyExists) {
      return load(certFile, certFile.toString(), keyFile, keyFile.toString(), clock);
    }
    if (certExists || keyExists) {
      Path missing = certExists ? keyFile : certFile;
      Path present = certExists ? certFile : keyFile;
      throw new CaException(
          missing
              + " is missing while "
              + present
              + " exists: restore it, or move both away to"
              + " make a new CA (agents will then need new join tokens)");
    }
    CertificateAuthority authority = CertificateAuthority.generate(trustDomain, clock);
    try {
      Files.createDirectories(caDirectory);
      AtomicFiles.write(
          keyFile, Pem.encodePrivateKey(authority.rootKey()).getBytes(StandardCharsets.US_ASCII));
      AtomicFiles.write(
          certFile, authority.rootCertificatePem().getBytes(StandardCharsets.US_ASCII));
    } catch (IOException e) {
      throw new CaException("cannot write the new CA to " + caDirectory + ": " + e.getMessage(), e);
    }
    return authority;
  }

  /**
   * Loads a CA from PEM files. {@code certLabel}/{@code keyLabel} name the files in errors (for
   * example {@code --ca-cert /etc/ca.pem}).
   */
  public static CertificateAuthority load(
      Path certFile, String certLabel, Path keyFile, String keyLabel, Clock clock)
      throws CaException {
    X509Certificate certificate = readCertificate(certFile, certLabel);
    PrivateKey key = readPrivateKey(keyFile, keyLabel);
    if (certificate.getBasicConstraints() < 0) {
      throw new CaException(
          certLabel
              + ": the certificate is not a CA certificate (basicConstraints CA:true is missing)");
    }
    boolean[] keyUsage = certificate.getKeyUsage();
    if (keyUsage != null && !keyUsage[5]) {
      throw new CaException(certLabel + ": the certificate's key usage does not allow keyCertSign");
    }
    if (certificate.getNotAfter().before(Date.from(clock.instant()))) {
      throw new CaException(
          certLabel + ": the CA certificate expired at " + certificate.getNotAfter().toInstant());
    }
    if (!keyMatchesCertificate(key, certificate)) {
      throw new CaException(
          keyLabel + ": the private key does not belong to the certificate in " + certLabel);
    }
    return new CertificateAuthority(certificate, key);
  }

  private static X509Certificate readCertificate(Path file, String label) throws CaException {
    Object pem = readPem(file, label, "CERTIFICATE");
    if (!(pem instanceof X509CertificateHolder holder)) {
      throw new CaException(
          label
              + ": expected a PEM certificate (-----BEGIN CERTIFICATE-----) but"
              + " found "
              + describe(pem));
    }
    try {
      return Pem.toX509(holder);
    } catch (CertificateException e) {
      throw new CaException(label + ": the certificate cannot be decoded: " + e.getMessage(), e);
    }
  }

  private static PrivateKey readPrivateKey(Path file, String label) throws CaException {
    Object pem = readPem(file, label, "PRIVATE KEY");
    if (pem instanceof PKCS8EncryptedPrivateKeyInfo || pem instanceof PEMEncryptedKeyPair) {
      throw new CaException(label + ": the private key is encrypted; give an unencrypted PEM key");
    }
    PrivateKeyInfo info;
    if (pem instanceof PEMKeyPair pair) {
      info = pair.getPrivateKeyInfo();
    } else if (pem instanceof PrivateKeyInfo privateKeyInfo) {
      info = privateKeyInfo;
    } else {
      throw new CaException(
          label
              + ": expected a PEM private key (-----BEGIN PRIVATE KEY-----,"
              + " EC PRIVATE KEY or RSA PRIVATE KEY) but found "
              + describe(pem));
    }
    try {
      return new JcaPEMKeyConverter().getPrivateKey(info);
    } catch (IOException e) {
      try {
        // Keys the JDK cannot read (e.g. SEC1 EC keys without curve parameters) BC can.
        return new JcaPEMKeyConverter().setProvider(new BouncyCastleProvider()).getPrivateKey(info);
      } catch (IOException | RuntimeException bcFailure) {
        throw new CaException(label + ": the private key cannot be decoded: " + e.getMessage(), e);
      }
    }
  }

  private static Object readPem(Path file, String label, String expected) throws CaException {
    if (!Files.isRegularFile(file)) {
      throw new CaException(label + ": file does not exist or is not a regular file");
    }
    String text;
    try {
      text = Files.readString(file, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new CaException(label + ": cannot read the file: " + e.getMessage(), e);
    }
    if (!text.contains("-----BEGIN ")) {
      throw new CaException(label + ": not a PEM file (no -----BEGIN " + expected + "----- line)");
    }
    try {
      Object pem = Pem.decodeFirst(text);
      if (pem == null) {
        throw new CaException(label + ": no PEM object could be read (is the END line missing?)");
      }
      return pem;
    } catch (IOException | RuntimeException e) {
      throw new CaException(label + ": malformed PEM: " + e.getMessage(), e);
    }
  }

  private static String describe(Object pem) {
    if (pem instanceof X509CertificateHolder) {
      return "a certificate";
    }
    if (pem instanceof PEMKeyPair || pem instanceof PrivateKeyInfo) {
      return "a private key";
    }
    return pem == null ? "nothing" : "a " + pem.getClass().getSimpleName();
  }

  private static boolean keyMatchesCertificate(PrivateKey key, X509Certificate certificate) {
    String algorithm = "RSA".equals(key.getAlgorithm()) ? "SHA256withRSA" : "SHA256withECDSA";
    try {
      byte[] probe = "jmesh CA key check".getBytes(StandardCharsets.US_ASCII);
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(probe);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(certificate.getPublicKey());
      verifier.update(probe);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }
}
