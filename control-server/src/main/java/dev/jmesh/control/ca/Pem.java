package dev.jmesh.control.ca;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.util.io.pem.PemGenerationException;

/** PEM text to and from certificates, keys and certificate requests. */
public final class Pem {

  private Pem() {}

  /** PEM text of a certificate, key or request ({@code -----BEGIN …-----}). */
  public static String encode(Object object) {
    StringWriter text = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
      writer.writeObject(object);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return text.toString();
  }

  /** PEM text of a private key in PKCS#8 form ({@code -----BEGIN PRIVATE KEY-----}). */
  public static String encodePrivateKey(PrivateKey key) {
    try {
      return encode(new JcaPKCS8Generator(key, null).generate());
    } catch (PemGenerationException e) {
      throw new IllegalStateException("cannot encode the private key", e);
    }
  }

  /** The first PEM object in {@code text}, or null when there is none. */
  public static Object decodeFirst(String text) throws IOException {
    try (PEMParser parser = new PEMParser(new StringReader(text))) {
      return parser.readObject();
    }
  }

  public static X509Certificate toX509(X509CertificateHolder holder) throws CertificateException {
    return new JcaX509CertificateConverter().getCertificate(holder);
  }
}
