package dev.jmesh.agent.inbound;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

/**
 * Sets {@code x-forwarded-client-cert} on decoded HTTP/1 requests the way Istio's sidecars do: any
 * header the client sent is dropped, and for mutual-TLS connections {@code By=<our SPIFFE
 * ID>;URI=<peer SPIFFE ID>} is added. After a request that asks to upgrade the connection
 * (WebSocket, h2c, CONNECT) this handler and the decoder step aside; {@link AppRelay} holds what
 * follows until the application's answer shows whether the upgrade happened (then the stream is
 * piped raw) or not (then decoding resumes).
 */
final class ForwardedClientCert extends ChannelInboundHandlerAdapter {

  static final String HEADER = "x-forwarded-client-cert";

  /**
   * Fired towards the app relay, in order with the requests, after a request asking to upgrade.
   *
   * @param connect whether it was a CONNECT (a 2xx answer then means a tunnel)
   */
  record UpgradeRequested(boolean connect) {}

  private final String value;
  private final String decoderName;
  private boolean upgrading;
  private boolean connect;

  /**
   * @param localSpiffeId our identity, null for plaintext connections
   * @param peerSpiffeId the client's identity, null for plaintext connections
   */
  ForwardedClientCert(String localSpiffeId, String peerSpiffeId, String decoderName) {
    this.value =
        localSpiffeId == null || peerSpiffeId == null
            ? null
            : "By=" + localSpiffeId + ";URI=" + peerSpiffeId;
    this.decoderName = decoderName;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof HttpRequest request) {
      if (request.decoderResult().isFailure()) {
        ReferenceCountUtil.release(msg);
        ctx.close();
        return;
      }
      request.headers().remove(HEADER);
      if (value != null) {
        request.headers().set(HEADER, value);
      }
      connect = HttpMethod.CONNECT.equals(request.method());
      upgrading = connect || request.headers().contains(HttpHeaderNames.UPGRADE);
    }
    boolean last = msg instanceof LastHttpContent;
    ctx.fireChannelRead(msg);
    if (upgrading && last && !ctx.isRemoved()) {
      ctx.fireChannelRead(new UpgradeRequested(connect));
      ctx.pipeline().remove(decoderName);
      ctx.pipeline().remove(this);
    }
  }
}
