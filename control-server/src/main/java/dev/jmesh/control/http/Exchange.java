package dev.jmesh.control.http;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.DateFormatter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.net.InetSocketAddress;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLSession;

/**
 * One HTTP call read off a connection: its head and body (copied, so nothing is reference-counted
 * while a handler or a parked watcher holds it), the TLS session it came on, and the one way to
 * answer it. Answering is allowed from any thread and happens at most once; a later answer (a
 * watcher's timeout racing its push) is dropped.
 */
final class Exchange {

  private final String method;
  private final QueryStringDecoder target;
  private final HttpHeaders headers;
  private final byte[] body;
  private final boolean keepAlive;
  private final HttpVersion version;
  private final SSLSession tlsSession;
  private final InetSocketAddress remoteAddress;
  private final CallSequence connection;
  private final AtomicBoolean answered = new AtomicBoolean();

  Exchange(
      FullHttpRequest request,
      SSLSession tlsSession,
      InetSocketAddress remoteAddress,
      CallSequence connection) {
    this.method = request.method().name();
    this.target = new QueryStringDecoder(request.uri());
    this.headers = request.headers();
    this.body = ByteBufUtil.getBytes(request.content());
    this.keepAlive = HttpUtil.isKeepAlive(request);
    this.version = request.protocolVersion();
    this.tlsSession = tlsSession;
    this.remoteAddress = remoteAddress;
    this.connection = connection;
  }

  String method() {
    return method;
  }

  /** The path as sent, still percent-encoded. */
  String rawPath() {
    return target.rawPath();
  }

  /**
   * The path decoded ({@code +} stays a plus).
   *
   * @throws IllegalArgumentException when its percent-encoding is malformed
   */
  String path() {
    return target.path();
  }

  /** The query as sent (after {@code ?}, before any {@code #}); empty when there is none. */
  String rawQuery() {
    return target.rawQuery();
  }

  String header(String name) {
    return headers.get(name);
  }

  List<String> headers(String name) {
    return headers.getAll(name);
  }

  byte[] body() {
    return body;
  }

  /** The TLS session the call came on. */
  SSLSession tlsSession() {
    return tlsSession;
  }

  InetSocketAddress remoteAddress() {
    return remoteAddress;
  }

  /** Sends {@code response} unless this call has been answered already. */
  void respond(ApiResponse response) {
    if (answered.compareAndSet(false, true)) {
      connection.answer(encode(response, version, keepAlive), keepAlive);
    }
  }

  /** {@code response} as HTTP, saying whether the connection stays open after it. */
  static FullHttpResponse encode(ApiResponse response, HttpVersion version, boolean keepAlive) {
    byte[] content = response.body();
    boolean hasBody = content != null && content.length > 0;
    FullHttpResponse encoded =
        new DefaultFullHttpResponse(
            version,
            HttpResponseStatus.valueOf(response.status()),
            hasBody ? Unpooled.wrappedBuffer(content) : Unpooled.EMPTY_BUFFER);
    HttpHeaders out = encoded.headers();
    // An origin server with a clock sends Date (RFC 9110, 6.6.1); Netty keeps its formatter per thread.
    out.set(HttpHeaderNames.DATE, DateFormatter.format(new Date()));
    if (response.contentType() != null) {
      out.set(HttpHeaderNames.CONTENT_TYPE, response.contentType());
    }
    if (response.contentEncoding() != null) {
      out.set(HttpHeaderNames.CONTENT_ENCODING, response.contentEncoding());
      out.set(HttpHeaderNames.VARY, HttpHeaderNames.ACCEPT_ENCODING);
    }
    // 204 and 304 never carry a body, and say nothing about its length.
    if (response.status() != 204 && response.status() != 304) {
      HttpUtil.setContentLength(encoded, hasBody ? content.length : 0);
    }
    HttpUtil.setKeepAlive(encoded, keepAlive);
    return encoded;
  }
}
