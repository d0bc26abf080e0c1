package dev.jmesh.benchmarks.control;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslContext;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * One simulated agent: a registered instance that long-polls {@code GET /v1/snapshot} and ACKs every
 * new version over its own keep-alive mutual-TLS connection, as a real agent does. Netty on a few
 * shared event-loop threads, no thread of its own: 2,000 of them in one JVM must cost little, or the
 * simulation's own CPU and GC pauses would be counted as push latency (with the JDK HttpClient they
 * were: ~500 KB allocated per agent per snapshot, young-GC pauses of up to a second). Of each
 * snapshot it keeps only the first bytes (for the version) and drops the rest as it arrives.
 */
final class SimulatedAgent {

  static final int WAIT_SECONDS = 60;

  /** Enough of a gzip snapshot to inflate its first {@link #HEAD_BYTES}. */
  private static final int KEPT_COMPRESSED_BYTES = 4096;

  private static final int HEAD_BYTES = 96;
  private static final int GZIP_HEADER_BYTES = 10;
  private static final Pattern VERSION = Pattern.compile("\"version\"\\s*:\\s*(-?\\d+)");
  private static final Pattern INSTANCE_ID = Pattern.compile("\"instanceId\"\\s*:\\s*\"([^\"]+)\"");

  private final PushBenchmark bench;
  private final EventLoopGroup loop;
  private final SslContext tls;
  private final String host;
  private final int port;
  final String service;
  String instanceId;
  volatile long knownVersion;
  /** Per policy change: nanoTime the new snapshot arrived complete, and the ACK was answered; 0 = not yet. */
  final AtomicLongArray receivedNanos;
  final AtomicLongArray ackedNanos;
  /** Per policy change: nanoTime the ACK was written; 0 = not yet. */
  final AtomicLongArray ackSentNanos;
  volatile long lastSnapshotBytes;
  private volatile boolean stopped;

  private Channel channel;
  /** The call in flight on {@link #channel}; one at a time. */
  private CompletableFuture<Answer> pending;

  SimulatedAgent(PushBenchmark bench, EventLoopGroup loop, SslContext tls, String host, int port,
      String service, int changes) {
    this.bench = bench;
    this.loop = loop;
    this.tls = tls;
    this.host = host;
    this.port = port;
    this.service = service;
    this.receivedNanos = new AtomicLongArray(changes);
    this.ackedNanos = new AtomicLongArray(changes);
    this.ackSentNanos = new AtomicLongArray(changes);
  }

  CompletableFuture<String> register() {
    String body = "{\"service\":\"" + service + "\",\"namespace\":\"default\",\"labels\":{\"app\":\"" + service
        + "\"},\"address\":\"127.0.0.1\",\"ports\":[8080],\"adminPort\":null,\"agentVersion\":\"bench-sim\"}";
    return call(HttpMethod.POST, "/v1/instances", body).thenApply(r -> {
      Matcher m = INSTANCE_ID.matcher(r.text());
      if (r.status() != 200 || !m.find()) {
        throw new IllegalStateException("POST /v1/instances answered " + r.status() + ": " + r.text());
      }
      instanceId = m.group(1);
      return instanceId;
    });
  }

  /**
   * Opens (or reuses) the connection with a snapshot call that answers at once (waitSeconds=0), so
   * the TLS handshake is done before the measurement; then parks the long poll.
   */
  CompletableFuture<Void> warmUpThenWatch(long version) {
    knownVersion = version;
    return call(HttpMethod.GET, snapshotPath(version, 0), null).thenAccept(r -> {
      if (r.status() != 304 && r.status() != 200) {
        throw new IllegalStateException("GET /v1/snapshot answered " + r.status());
      }
      watch();
    });
  }

  private String snapshotPath(long version, int waitSeconds) {
    return "/v1/snapshot?instance=" + instanceId + "&version=" + version + "&waitSeconds=" + waitSeconds;
  }

  private void watch() {
    if (stopped) {
      return;
    }
    call(HttpMethod.GET, snapshotPath(knownVersion, WAIT_SECONDS), null).whenComplete((r, e) -> {
      if (e != null) {
        bench.error("watch of " + instanceId + ": " + e);
        retryLater();
        return;
      }
      if (r.status() == 304) {
        watch();
        return;
      }
      if (r.status() != 200 || r.version() < 0) {
        bench.error("GET /v1/snapshot of " + instanceId + " answered " + r.status());
        retryLater();
        return;
      }
      long version = r.version();
      lastSnapshotBytes = r.bytes();
      int change = bench.currentChange();
      if (change >= 0 && version != knownVersion) {
        receivedNanos.compareAndSet(change, 0, r.completedNanos());
      }
      knownVersion = version;
      ack(version, change);
    });
  }

  private void ack(long version, int change) {
    String body = "{\"version\":" + version + ",\"accepted\":true,\"error\":null}";
    if (change >= 0) {
      ackSentNanos.compareAndSet(change, 0, System.nanoTime());
    }
    call(HttpMethod.POST, "/v1/snapshot/ack?instance=" + instanceId, body).whenComplete((r, e) -> {
      if (e != null || r.status() != 204) {
        bench.error("ACK of " + instanceId + ": " + (e != null ? e : "HTTP " + r.status()));
      } else if (change >= 0) {
        ackedNanos.compareAndSet(change, 0, r.completedNanos());
      }
      watch();
    });
  }

  private void retryLater() {
    if (!stopped && bench.errorCount() < 1000) {
      loop.schedule(this::watch, 1, TimeUnit.SECONDS);
    }
  }

  void stop() {
    stopped = true;
    Channel open = channel;
    if (open != null) {
      open.close();
    }
  }

  /** Sends one call on the agent's connection (opened, or reopened after the server closed it). */
  private synchronized CompletableFuture<Answer> call(HttpMethod method, String path, String json) {
    CompletableFuture<Answer> answer = new CompletableFuture<>();
    pending = answer;
    FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, path,
        json == null ? Unpooled.EMPTY_BUFFER : Unpooled.copiedBuffer(json, StandardCharsets.UTF_8));
    request.headers().set(HttpHeaderNames.HOST, host + ":" + port);
    if (method == HttpMethod.GET) {
      request.headers().set(HttpHeaderNames.ACCEPT_ENCODING, "gzip");
    } else {
      request.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
    }
    HttpUtil.setContentLength(request, request.content().readableBytes());
    if (channel != null && channel.isActive()) {
      send(channel, request, answer);
    } else {
      ChannelFuture connecting = connect();
      channel = connecting.channel();
      connecting.addListener(done -> {
        if (done.isSuccess()) {
          send(connecting.channel(), request, answer);
        } else {
          request.release();
          answer.completeExceptionally(done.cause());
        }
      });
    }
    return answer;
  }

  private static void send(Channel channel, FullHttpRequest request, CompletableFuture<Answer> answer) {
    channel.writeAndFlush(request).addListener(written -> {
      if (!written.isSuccess()) {
        answer.completeExceptionally(written.cause());
      }
    });
  }

  private ChannelFuture connect() {
    return new Bootstrap().group(loop).channel(NioSocketChannel.class)
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
        .handler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline().addLast(tls.newHandler(ch.alloc(), host, port))
                .addLast(new HttpClientCodec())
                .addLast(new AnswerReader());
          }
        })
        .connect(host, port);
  }

  private synchronized CompletableFuture<Answer> takePending() {
    CompletableFuture<Answer> answer = pending;
    pending = null;
    return answer;
  }

  /** What a call got back: status, the snapshot's version (or -1), body size, when it had arrived whole. */
  record Answer(int status, long version, long bytes, long completedNanos, String text) {}

  /** Reads one answer at a time, keeping only a body's first bytes. */
  private final class AnswerReader extends SimpleChannelInboundHandler<HttpObject> {
    private int status;
    private boolean gzip;
    private long bytes;
    private final ByteBuf head = Unpooled.buffer(KEPT_COMPRESSED_BYTES);

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, HttpObject message) {
      if (message instanceof HttpResponse response) {
        status = response.status().code();
        gzip = "gzip".equalsIgnoreCase(response.headers().get(HttpHeaderNames.CONTENT_ENCODING));
        bytes = 0;
        head.clear();
      }
      if (message instanceof HttpContent content) {
        ByteBuf data = content.content();
        bytes += data.readableBytes();
        head.writeBytes(data, data.readerIndex(), Math.min(data.readableBytes(), head.writableBytes()));
      }
      if (message instanceof LastHttpContent) {
        long completedAt = System.nanoTime();
        CompletableFuture<Answer> answer = takePending();
        if (answer != null) {
          String text = gzip ? inflateHead() : head.toString(StandardCharsets.UTF_8);
          Matcher m = VERSION.matcher(text.length() > HEAD_BYTES ? text.substring(0, HEAD_BYTES) : text);
          answer.complete(new Answer(status, m.find() ? Long.parseLong(m.group(1)) : -1, bytes, completedAt, text));
        }
      }
    }

    /** The first bytes of a gzip body (Java's GZIPOutputStream writes a bare 10-byte header). */
    private String inflateHead() {
      byte[] compressed = new byte[head.readableBytes()];
      head.getBytes(0, compressed);
      Inflater inflater = new Inflater(true);
      try {
        inflater.setInput(compressed, GZIP_HEADER_BYTES, Math.max(0, compressed.length - GZIP_HEADER_BYTES));
        byte[] out = new byte[HEAD_BYTES];
        int n = inflater.inflate(out);
        return new String(out, 0, n, StandardCharsets.UTF_8);
      } catch (DataFormatException e) {
        return "";
      } finally {
        inflater.end();
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      fail(new ClosedChannelException());
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      fail(cause);
      ctx.close();
    }

    private void fail(Throwable cause) {
      CompletableFuture<Answer> answer = takePending();
      if (answer != null) {
        answer.completeExceptionally(cause);
      }
    }
  }
}
