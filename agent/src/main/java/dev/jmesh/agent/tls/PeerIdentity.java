package dev.jmesh.agent.tls;

import dev.jmesh.api.SpiffeId;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/** What a finished mesh TLS handshake tells about the peer. */
public record PeerIdentity(SpiffeId spiffeId, String protocol, String cipherSuite) {

  /** Reads the peer of an established session; the chain was already validated. */
  public static PeerIdentity of(SSLSession session) throws SSLPeerUnverifiedException {
    Certificate[] chain = session.getPeerCertificates();
    if (chain.length == 0 || !(chain[0] instanceof X509Certificate leaf)) {
      throw new SSLPeerUnverifiedException("no X.509 peer certificate");
    }
    SpiffeId id =
        SpiffeId.fromCertificate(leaf)
            .orElseThrow(() -> new SSLPeerUnverifiedException("the peer has no SPIFFE ID"));
    return new PeerIdentity(id, session.getProtocol(), session.getCipherSuite());
  }
}
