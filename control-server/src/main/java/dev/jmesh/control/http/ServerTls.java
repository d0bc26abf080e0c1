package dev.jmesh.control.http;

import dev.jmesh.control.ca.CertificateAuthority;
import dev.jmesh.control.ca.ServerCertificateIssuer;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The server side of TLS: a fresh key and certificate from the mesh CA at each start, presented
 * with the root so agents can match the root's SHA-256, and the CA as the only trust anchor for
 * client (workload) certificates.
 */
public final class ServerTls {

  private static final char[] NO_PASSWORD = new char[0];

  private ServerTls() {}

  public static SSLContext create(
      CertificateAuthority authority, List<String> extraNames, Clock clock)
      throws GeneralSecurityException {
    KeyPair keyPair = CertificateAuthority.newEcP256KeyPair();
    X509Certificate serverCertificate =
        ServerCertificateIssuer.issue(authority, keyPair.getPublic(), extraNames, clock);
    try {
      KeyStore keys = KeyStore.getInstance("PKCS12");
      keys.load(null, null);
      keys.setKeyEntry(
          "server",
          keyPair.getPrivate(),
          NO_PASSWORD,
          new Certificate[] {serverCertificate, authority.rootCertificate()});
      KeyManagerFactory keyManagers =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keyManagers.init(keys, NO_PASSWORD);

      KeyStore roots = KeyStore.getInstance("PKCS12");
      roots.load(null, null);
      roots.setCertificateEntry("mesh-root", authority.rootCertificate());
      TrustManagerFactory trustManagers =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trustManagers.init(roots);

      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keyManagers.getKeyManagers(), trustManagers.getTrustManagers(), null);
      return context;
    } catch (IOException e) {
      throw new GeneralSecurityException("cannot build the server key store", e);
    }
  }
}
