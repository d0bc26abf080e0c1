package dev.jmesh.agent.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpRequestEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The shape of the relays' request path: only the head of a request is decoded and encoded again
 * with the agent's edits; the body goes on as the very bytes read (a slice of the read buffer), not
 * a copy and not re-framed.
 */
class RequestBodyPassThroughTest {

  @Test
  void anEditedRequestIsANewHeadFollowedByTheBodyBytesAsRead() {
    byte[] body = new byte[1024];
    Arrays.fill(body, (byte) 'b');
    String head =
        "POST /orders HTTP/1.1\r\nHost: orders:8080\r\nContent-Length: " + body.length + "\r\n\r\n";
    ByteBuf read = Unpooled.directBuffer();
    read.writeBytes(head.getBytes(StandardCharsets.US_ASCII)).writeBytes(body);

    EmbeddedChannel client =
        new EmbeddedChannel(
            HttpSniffer.newDecoder(),
            new RequestHeadersHandler(
                request -> request.headers().set("x-request-id", "id-1"), "decoder", n -> {}));
    EmbeddedChannel upstream = new EmbeddedChannel(new HttpRequestEncoder());
    client.writeInbound(read);
    Object msg;
    while ((msg = client.readInbound()) != null) {
      upstream.writeOutbound(msg);
    }

    ByteBuf encodedHead = upstream.readOutbound();
    ByteBuf encodedBody = upstream.readOutbound();
    assertNull(upstream.readOutbound(), "a head and a body, nothing else");
    String newHead = encodedHead.toString(StandardCharsets.US_ASCII);
    assertTrue(newHead.startsWith("POST /orders HTTP/1.1\r\n"), newHead);
    assertTrue(newHead.contains("x-request-id: id-1\r\n"), newHead);
    assertTrue(newHead.endsWith("\r\n\r\n"), newHead);
    assertEquals(body.length, encodedBody.readableBytes());
    assertSame(
        innermost(read), innermost(encodedBody), "the body is a slice of the buffer read, not a copy");
    encodedHead.release();
    encodedBody.release();
    client.finishAndReleaseAll();
    upstream.finishAndReleaseAll();
  }

  /**
   * The buffer under any slices and wrappers: Netty's leak detector wraps a sampled allocation (one
   * in 128 by default) in a leak-aware buffer, so the buffer read is not always the one a slice
   * unwraps to.
   */
  private static ByteBuf innermost(ByteBuf buffer) {
    ByteBuf inner = buffer;
    while (inner.unwrap() != null) {
      inner = inner.unwrap();
    }
    return inner;
  }
}
