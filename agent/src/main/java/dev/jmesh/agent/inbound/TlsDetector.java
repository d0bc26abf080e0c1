package dev.jmesh.agent.inbound;

import dev.jmesh.bootstrap.AgentLog;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.ssl.SslContext;
import java.util.List;
import java.util.function.Supplier;

/**
 * PERMISSIVE ports serve mutual TLS and plaintext on the same port: a first byte of 0x16 (a TLS
 * handshake record) means mutual TLS, anything else plaintext.
 */
final class TlsDetector extends ByteToMessageDecoder {

  private static final byte TLS_HANDSHAKE = 0x16;

  private final Supplier<SslContext> serverContext;

  TlsDetector(Supplier<SslContext> serverContext) {
    this.serverContext = serverContext;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    if (!in.isReadable()) {
      return;
    }
    if (in.getByte(in.readerIndex()) == TLS_HANDSHAKE) {
      SslContext context = serverContext.get();
      if (context == null) {
        AgentLog.warnOnce(
            "inbound-tls-without-cert",
            "an inbound TLS connection arrived before the workload has a certificate; closing it");
        in.skipBytes(in.readableBytes());
        ctx.close();
        return;
      }
      ctx.pipeline().addAfter(ctx.name(), "jmesh-tls", context.newHandler(ctx.alloc()));
    } else {
      ctx.fireUserEventTriggered(AppRelay.PlaintextDetected.INSTANCE);
    }
    ctx.pipeline().remove(this);
  }
}
