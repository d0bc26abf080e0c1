package dev.jmesh.agent.control;

import io.netty.util.NetUtil;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Trusts the control server only if its chain validates against a root the agent already knows: the
 * certificate in the presented chain whose SHA-256 (DER) equals the join token's CA hash, the
 * certificates of {@code jmesh.control.ca}, or the roots of a trust bundle fetched from a server
 * trusted that way. Never trusts anything else. Over an {@link SSLEngine}, the server's certificate
 * must also be issued for the host the engine was made for (a DNS or IP subject alternative name,
 * as HTTPS checks it).
 */
final class ControlServerTrustManager extends X509ExtendedTrustManager {

  private final String pinnedSha256;
  private final List<X509Certificate> knownRoots = new CopyOnWriteArrayList<>();

  /**
   * @param pinnedSha256 hex SHA-256 of the root CA's DER encoding (from the join token), or null
   * @param configuredRoots roots from {@code jmesh.control.ca}
   */
  ControlServerTrustManager(String pinnedSha256, List<X509Certificate> configuredRoots) {
    this.pinnedSha256 = pinnedSha256;
    this.knownRoots.addAll(configuredRoots);
  }

  /** Roots of the mesh trust bundle (the control server's CA), learned over a trusted channel. */
  void addRoots(List<X509Certificate> roots) {
    for (X509Certificate root : roots) {
      if (!knownRoots.contains(root)) {
        knownRoots.add(root);
      }
    }
  }

  static String sha256Hex(X509Certificate certificate) {
    try {
      return HexFormat.of()
          .formatHex(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    if (chain == null || chain.length == 0) {
      throw new CertificateException("the control server sent no certificate");
    }
    Set<TrustAnchor> anchors = new HashSet<>();
    for (X509Certificate root : knownRoots) {
      anchors.add(new TrustAnchor(root, null));
    }
    List<X509Certificate> path = new ArrayList<>();
    for (X509Certificate c : chain) {
      if (pinnedSha256 != null && pinnedSha256.equalsIgnoreCase(sha256Hex(c))) {
        anchors.add(new TrustAnchor(c, null));
      } else if (!knownRoots.contains(c)) {
        path.add(c);
      }
    }
    if (anchors.isEmpty()) {
      throw new CertificateException(
          "the control server's certificate chain does not end in the CA the join token names"
              + " (sha256 "
              + pinnedSha256
              + ")");
    }
    if (path.isEmpty()) {
      return; // the server presented the trusted root itself
    }
    try {
      PKIXParameters parameters = new PKIXParameters(anchors);
      parameters.setRevocationEnabled(false);
      CertPathValidator.getInstance("PKIX")
          .validate(CertificateFactory.getInstance("X.509").generateCertPath(path), parameters);
    } catch (GeneralSecurityException e) {
      throw new CertificateException(
          "the control server's certificate is not issued by the CA the join token names: "
              + e.getMessage(),
          e);
    }
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    checkServerTrusted(chain, authType);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    checkServerTrusted(chain, authType);
    String host = engine.getPeerHost();
    if (host != null && !issuedFor(chain[0], host)) {
      throw new CertificateException(
          "its certificate is not issued for "
              + host
              + " (give the server that name with 'serve --san "
              + host
              + "', or use a name it has)");
    }
  }

  /**
   * Whether {@code certificate} names {@code host} among its subject alternative names: an IP
   * address as an IP entry, any other name as a DNS entry, where {@code *.} stands for exactly one
   * leftmost label (RFC 6125). The subject's common name is not looked at.
   */
  static boolean issuedFor(X509Certificate certificate, String host) throws CertificateException {
    Collection<List<?>> names = certificate.getSubjectAlternativeNames();
    if (names == null) {
      return false;
    }
    byte[] address = ipLiteral(host);
    for (List<?> name : names) {
      int type = (Integer) name.get(0);
      String value = String.valueOf(name.get(1));
      if (address != null && type == IP_ADDRESS && Arrays.equals(address, ipLiteral(value))) {
        return true;
      }
      if (address == null && type == DNS_NAME && dnsMatches(value, host)) {
        return true;
      }
    }
    return false;
  }

  private static final int DNS_NAME = 2;
  private static final int IP_ADDRESS = 7;

  private static boolean dnsMatches(String pattern, String host) {
    String p = pattern.toLowerCase(Locale.ROOT);
    String h = host.toLowerCase(Locale.ROOT);
    if (p.endsWith(".")) {
      p = p.substring(0, p.length() - 1);
    }
    if (h.endsWith(".")) {
      h = h.substring(0, h.length() - 1);
    }
    if (!p.startsWith("*.")) {
      return p.equals(h);
    }
    int firstDot = h.indexOf('.');
    return firstDot > 0 && h.substring(firstDot).equals(p.substring(1));
  }

  /** The address bytes of an IPv4 or IPv6 literal (brackets allowed), or null for a name. */
  private static byte[] ipLiteral(String text) {
    return NetUtil.createByteArrayFromIpAddressString(text);
  }


  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    throw new CertificateException("the agent's control-plane client accepts no clients");
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    checkClientTrusted(chain, authType);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    checkClientTrusted(chain, authType);
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return new X509Certificate[0];
  }
}
