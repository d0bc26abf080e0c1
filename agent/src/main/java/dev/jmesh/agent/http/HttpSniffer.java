package dev.jmesh.agent.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http.HttpRequestDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Function;

/**
 * Looks at the first bytes a client sends. An HTTP/1 request line ({@code GET /…}) switches the
 * connection to request decoding ({@link HttpRequestDecoder} plus a {@link RequestHeadersHandler});
 * anything else (TLS to the app, HTTP/2 prior knowledge, databases, CONNECT tunnels) is piped raw.
 * Used on both sides: inbound for the mesh client's requests, on egress for the application's.
 */
public final class HttpSniffer extends ByteToMessageDecoder {

  private static final List<byte[]> METHODS =
      List.of("GET ", "POST ", "PUT ", "HEAD ", "DELETE ", "OPTIONS ", "PATCH ", "TRACE ").stream()
          .map(m -> m.getBytes(StandardCharsets.US_ASCII))
          .toList();

  /** Makes the handler that follows the decoder, given the decoder's name. */
  private final Function<String, ChannelHandler> requestHandlers;

  public HttpSniffer(Function<String, ChannelHandler> requestHandlers) {
    this.requestHandlers = requestHandlers;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    Verdict verdict = classify(in);
    if (verdict == Verdict.UNDECIDED) {
      return;
    }
    if (verdict == Verdict.HTTP) {
      String decoder = ctx.name() + "-http-decoder";
      ctx.pipeline().addAfter(ctx.name(), decoder, newDecoder());
      ctx.pipeline().addAfter(decoder, ctx.name() + "-headers", requestHandlers.apply(decoder));
    }
    ctx.pipeline().remove(this);
  }

  public static HttpRequestDecoder newDecoder() {
    return new HttpRequestDecoder(16 * 1024, 64 * 1024, 8192);
  }

  enum Verdict {
    HTTP,
    RAW,
    UNDECIDED
  }

  static Verdict classify(ByteBuf in) {
    int readable = in.readableBytes();
    boolean possible = false;
    for (byte[] method : METHODS) {
      int n = Math.min(readable, method.length);
      boolean prefixMatches = true;
      for (int i = 0; i < n && prefixMatches; i++) {
        prefixMatches = in.getByte(in.readerIndex() + i) == method[i];
      }
      if (prefixMatches && n == method.length) {
        return Verdict.HTTP;
      }
      possible |= prefixMatches;
    }
    return possible ? Verdict.UNDECIDED : Verdict.RAW;
  }
}
