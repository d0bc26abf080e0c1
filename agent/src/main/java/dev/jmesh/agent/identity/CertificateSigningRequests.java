package dev.jmesh.agent.identity;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/**
 * Makes the workload's key pair (EC P-256, in memory only) and the PKCS#10 request for it. The
 * request has an empty subject: the control server writes the SPIFFE URI SAN itself.
 */
public final class CertificateSigningRequests {

  private CertificateSigningRequests() {}

  public static KeyPair newKeyPair() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"));
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JVM cannot make EC P-256 keys", e);
    }
  }

  public static String csrPem(KeyPair keyPair) {
    try {
      ContentSigner signer =
          new JcaContentSignerBuilder("SHA256withECDSA").build(keyPair.getPrivate());
      PKCS10CertificationRequest csr =
          new JcaPKCS10CertificationRequestBuilder(
                  new X500Name(new org.bouncycastle.asn1.x500.RDN[0]), keyPair.getPublic())
              .build(signer);
      return Pem.block("CERTIFICATE REQUEST", csr.getEncoded());
    } catch (OperatorCreationException | IOException e) {
      throw new IllegalStateException("cannot sign a certificate request", e);
    }
  }
}
