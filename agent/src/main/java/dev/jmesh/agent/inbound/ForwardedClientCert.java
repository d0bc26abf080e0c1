package dev.jmesh.agent.inbound;

import dev.jmesh.agent.http.RequestEdit;
import io.netty.handler.codec.http.HttpRequest;

/**
 * Sets {@code x-forwarded-client-cert} on decoded HTTP/1 requests the way Istio's sidecars do: any
 * header the client sent is dropped, and for mutual-TLS connections {@code By=<our SPIFFE
 * ID>;URI=<peer SPIFFE ID>} is added.
 */
final class ForwardedClientCert implements RequestEdit {

  static final String HEADER = "x-forwarded-client-cert";

  private final String value;

  /**
   * @param localSpiffeId our identity, null for plaintext connections
   * @param peerSpiffeId the client's identity, null for plaintext connections
   */
  ForwardedClientCert(String localSpiffeId, String peerSpiffeId) {
    this.value =
        localSpiffeId == null || peerSpiffeId == null
            ? null
            : "By=" + localSpiffeId + ";URI=" + peerSpiffeId;
  }

  @Override
  public void edit(HttpRequest request) {
    request.headers().remove(HEADER);
    if (value != null) {
      request.headers().set(HEADER, value);
    }
  }
}
