package dev.jmesh.agent.identity;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;

/** PEM text to and from X.509 certificates. */
public final class Pem {

  private Pem() {}

  /** Every certificate in {@code pem} (one or more concatenated blocks), in order. */
  public static List<X509Certificate> certificates(String pem) throws CertificateException {
    CertificateFactory factory = CertificateFactory.getInstance("X.509");
    Collection<? extends java.security.cert.Certificate> parsed =
        factory.generateCertificates(
            new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
    List<X509Certificate> result = new ArrayList<>();
    for (java.security.cert.Certificate c : parsed) {
      result.add((X509Certificate) c);
    }
    if (result.isEmpty()) {
      throw new CertificateException("no certificate in PEM text");
    }
    return result;
  }

  /** The certificates of several PEM texts, in order. */
  public static List<X509Certificate> certificates(List<String> pems) throws CertificateException {
    List<X509Certificate> result = new ArrayList<>();
    for (String pem : pems) {
      result.addAll(certificates(pem));
    }
    return result;
  }

  public static String encode(X509Certificate certificate) {
    try {
      return block("CERTIFICATE", certificate.getEncoded());
    } catch (CertificateEncodingException e) {
      throw new IllegalStateException(e);
    }
  }

  static String block(String type, byte[] der) {
    String body =
        Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
    return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
  }
}
