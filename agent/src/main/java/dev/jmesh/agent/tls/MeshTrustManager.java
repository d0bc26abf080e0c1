package dev.jmesh.agent.tls;

import dev.jmesh.agent.identity.MeshTrustBundle;
import dev.jmesh.api.SpiffeId;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Accepts a peer when its chain validates (PKIX) against the mesh trust bundle and its leaf has
 * exactly one {@code spiffe://} URI SAN in the mesh's trust domain. Host names play no part: mesh
 * peers are named by their SPIFFE ID, which callers check after the handshake.
 */
public final class MeshTrustManager extends X509ExtendedTrustManager {

  private final MeshTrustBundle bundle;
  private final Set<TrustAnchor> anchors = new HashSet<>();

  public MeshTrustManager(MeshTrustBundle bundle) {
    this.bundle = bundle;
    for (X509Certificate root : bundle.roots()) {
      anchors.add(new TrustAnchor(root, null));
    }
  }

  /** Validates {@code chain} (leaf first) and returns the leaf's SPIFFE ID. */
  public SpiffeId validate(X509Certificate[] chain) throws CertificateException {
    if (chain == null || chain.length == 0) {
      throw new CertificateException("the peer sent no certificate");
    }
    if (anchors.isEmpty()) {
      throw new CertificateException("no mesh trust bundle yet");
    }
    List<X509Certificate> path = new ArrayList<>();
    for (X509Certificate c : chain) {
      if (!bundle.roots().contains(c)) {
        path.add(c);
      }
    }
    if (path.isEmpty()) {
      throw new CertificateException("the peer presented a root certificate as its identity");
    }
    try {
      CertPath certPath = CertificateFactory.getInstance("X.509").generateCertPath(path);
      PKIXParameters parameters = new PKIXParameters(anchors);
      parameters.setRevocationEnabled(false);
      CertPathValidator.getInstance("PKIX").validate(certPath, parameters);
    } catch (GeneralSecurityException e) {
      throw new CertificateException(
          "the peer's certificate does not chain to the mesh trust bundle: " + e.getMessage(), e);
    }
    List<String> uris = SpiffeId.spiffeUris(chain[0]);
    if (uris.size() != 1) {
      throw new CertificateException(
          "the peer's certificate is not a mesh identity: it has "
              + uris.size()
              + " spiffe:// URI SANs, expected exactly one");
    }
    SpiffeId id =
        SpiffeId.parse(uris.get(0))
            .orElseThrow(
                () ->
                    new CertificateException(
                        "the peer's certificate is not a mesh identity: "
                            + uris.get(0)
                            + " is not spiffe://<trust-domain>/ns/<namespace>/sa/<service>"));
    if (!id.trustDomain().equalsIgnoreCase(bundle.trustDomain())) {
      throw new CertificateException(
          "the peer " + id + " is not in the trust domain " + bundle.trustDomain());
    }
    return id;
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    validate(chain);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    validate(chain);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    validate(chain);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    validate(chain);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    validate(chain);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    validate(chain);
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return bundle.roots().toArray(new X509Certificate[0]);
  }
}
