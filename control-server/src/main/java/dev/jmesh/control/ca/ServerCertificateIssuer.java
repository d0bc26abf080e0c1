package dev.jmesh.control.ca;

import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;

/** Issues the control server's own TLS certificate from the mesh CA at each start. */
public final class ServerCertificateIssuer {

  /** Names every server certificate carries, besides those given with {@code --san}. */
  public static final List<String> DEFAULT_NAMES = List.of("localhost", "127.0.0.1", "::1");

  static final Duration VALIDITY = Duration.ofDays(365);

  private ServerCertificateIssuer() {}

  /** A serverAuth certificate for {@code key} with DNS/IP SANs for each name. */
  public static X509Certificate issue(
      CertificateAuthority authority, PublicKey key, List<String> extraNames, Clock clock) {
    LinkedHashSet<String> names = new LinkedHashSet<>(DEFAULT_NAMES);
    names.addAll(extraNames);
    List<GeneralName> generalNames = new ArrayList<>();
    for (String name : names) {
      generalNames.add(
          isIpLiteral(name)
              ? new GeneralName(GeneralName.iPAddress, stripBrackets(name))
              : new GeneralName(GeneralName.dNSName, name));
    }
    Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
    Instant caNotBefore = authority.rootCertificate().getNotBefore().toInstant();
    Instant caNotAfter = authority.rootCertificate().getNotAfter().toInstant();
    Instant notBefore = now.minus(WorkloadCertificateIssuer.BACKDATE);
    if (notBefore.isBefore(caNotBefore)) {
      notBefore = caNotBefore;
    }
    Instant notAfter = now.plus(VALIDITY);
    if (notAfter.isAfter(caNotAfter)) {
      notAfter = caNotAfter;
    }
    try {
      return Pem.toX509(
          new JcaX509v3CertificateBuilder(
                  authority.issuerName(),
                  CertificateAuthority.randomSerial(),
                  Date.from(notBefore),
                  Date.from(notAfter),
                  new X500Name("CN=jmesh control server"),
                  key)
              .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
              .addExtension(
                  Extension.keyUsage,
                  true,
                  new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment))
              .addExtension(
                  Extension.extendedKeyUsage,
                  false,
                  new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth))
              .addExtension(
                  Extension.subjectAlternativeName,
                  false,
                  new GeneralNames(generalNames.toArray(GeneralName[]::new)))
              .addExtension(
                  Extension.authorityKeyIdentifier,
                  false,
                  new JcaX509ExtensionUtils().createAuthorityKeyIdentifier(authority.publicKey()))
              .build(authority.signer()));
    } catch (Exception e) {
      throw new IllegalStateException("cannot issue the control server's TLS certificate", e);
    }
  }

  private static boolean isIpLiteral(String name) {
    String bare = stripBrackets(name);
    return bare.matches("[0-9.]+") && bare.chars().filter(c -> c == '.').count() == 3
        || bare.contains(":");
  }

  private static String stripBrackets(String name) {
    return name.startsWith("[") && name.endsWith("]") ? name.substring(1, name.length() - 1) : name;
  }
}
