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
 * ID>;URI=<peer SPIFFE ID>} is added. A request that upgrades the connection (WebSocket, h2c,
 * CONNECT) is forwarded, then the rest of the stream is piped raw.
 */
final class ForwardedClientCert extends ChannelInboundHandlerAdapter {

  static final String HEADER = "x-forwarded-client-cert";

  /** Fired towards the app relay when the stream stops being HTTP/1 requests. */
  enum RawFromHere {
    INSTANCE
  }

  private final String value;
  private final String decoderName;
  private boolean upgrading;

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
      upgrading =
          request.headers().contains(HttpHeaderNames.UPGRADE)
              || HttpMethod.CONNECT.equals(request.method());
    }
    boolean last = msg instanceof LastHttpContent;
    ctx.fireChannelRead(msg);
    if (upgrading && last && !ctx.isRemoved()) {
      ctx.fireUserEventTriggered(RawFromHere.INSTANCE);
      ctx.pipeline().remove(decoderName);
      ctx.pipeline().remove(this);
    }
  }
}
