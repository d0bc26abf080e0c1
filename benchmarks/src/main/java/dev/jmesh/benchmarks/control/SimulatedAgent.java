package dev.jmesh.benchmarks.control;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One simulated agent: a registered instance that long-polls {@code GET /v1/snapshot} and ACKs every
 * new version, on an identity's shared async {@link HttpClient} (no thread of its own). It keeps
 * only the first bytes of each snapshot (for the version) and drops the rest as it arrives.
 */
final class SimulatedAgent {

  static final int WAIT_SECONDS = 60;

  private final PushBenchmark bench;
  private final HttpClient client;
  private final String base;
  final String service;
  String instanceId;
  volatile long knownVersion;
  /** Per policy change: nanoTime the new snapshot arrived complete, and the ACK was answered; 0 = not yet. */
  final AtomicLongArray receivedNanos;
  final AtomicLongArray ackedNanos;
  /** Per policy change: nanoTime the ACK was handed to the HttpClient; 0 = not yet. */
  final AtomicLongArray ackSentNanos;
  volatile long lastSnapshotBytes;
  private volatile boolean stopped;

  SimulatedAgent(PushBenchmark bench, HttpClient client, String base, String service, int changes) {
    this.bench = bench;
    this.client = client;
    this.base = base;
    this.service = service;
    this.receivedNanos = new AtomicLongArray(changes);
    this.ackedNanos = new AtomicLongArray(changes);
    this.ackSentNanos = new AtomicLongArray(changes);
  }

  CompletableFuture<String> register() {
    String body = "{\"service\":\"" + service + "\",\"namespace\":\"default\",\"labels\":{\"app\":\"" + service
        + "\"},\"address\":\"127.0.0.1\",\"ports\":[8080],\"adminPort\":null,\"agentVersion\":\"bench-sim\"}";
    HttpRequest req = HttpRequest.newBuilder(URI.create(base + "/v1/instances")).timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
    return client.sendAsync(req, HttpResponse.BodyHandlers.ofString()).thenApply(r -> {
      Matcher m = Pattern.compile("\"instanceId\"\\s*:\\s*\"([^\"]+)\"").matcher(r.body());
      if (r.statusCode() != 200 || !m.find()) {
        throw new IllegalStateException("POST /v1/instances answered " + r.statusCode() + ": " + r.body());
      }
      instanceId = m.group(1);
      return instanceId;
    });
  }

  /**
   * Opens (or reuses) a connection with a snapshot call that answers at once (304, waitSeconds=0), so
   * the TLS handshake is done before the measurement; then parks the long poll.
   */
  CompletableFuture<Void> warmUpThenWatch(long version) {
    knownVersion = version;
    return client.sendAsync(snapshotRequest(version, 0), VersionSubscriber.HANDLER).thenAccept(r -> {
      if (r.statusCode() != 304 && r.statusCode() != 200) {
        throw new IllegalStateException("GET /v1/snapshot answered " + r.statusCode());
      }
      watch();
    });
  }

  private HttpRequest snapshotRequest(long version, int waitSeconds) {
    return HttpRequest.newBuilder(URI.create(base + "/v1/snapshot?instance=" + instanceId + "&version=" + version
        + "&waitSeconds=" + waitSeconds)).timeout(Duration.ofSeconds(waitSeconds + 30))
        .header("Accept-Encoding", "gzip").GET().build();
  }

  private void watch() {
    if (stopped) {
      return;
    }
    client.sendAsync(snapshotRequest(knownVersion, WAIT_SECONDS), VersionSubscriber.HANDLER).whenComplete((r, e) -> {
      if (e != null) {
        bench.error("watch of " + instanceId + ": " + e);
        retryLater();
        return;
      }
      if (r.statusCode() == 304) {
        watch();
        return;
      }
      if (r.statusCode() != 200 || r.body().version() < 0) {
        bench.error("GET /v1/snapshot of " + instanceId + " answered " + r.statusCode());
        retryLater();
        return;
      }
      long now = r.body().completedNanos();
      long version = r.body().version();
      lastSnapshotBytes = r.body().bytes();
      int change = bench.currentChange();
      if (change >= 0 && version != knownVersion) {
        receivedNanos.compareAndSet(change, 0, now);
      }
      knownVersion = version;
      ack(version, change);
    });
  }

  private void ack(long version, int change) {
    String body = "{\"version\":" + version + ",\"accepted\":true,\"error\":null}";
    HttpRequest req = HttpRequest.newBuilder(URI.create(base + "/v1/snapshot/ack?instance=" + instanceId))
        .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    if (change >= 0) {
      ackSentNanos.compareAndSet(change, 0, System.nanoTime());
    }
    client.sendAsync(req, ANSWERED_AT).whenComplete((r, e) -> {
      if (e != null || r.statusCode() != 204) {
        bench.error("ACK of " + instanceId + ": " + (e != null ? e : "HTTP " + r.statusCode()));
      } else if (change >= 0) {
        ackedNanos.compareAndSet(change, 0, r.body());
      }
      watch();
    });
  }

  private void retryLater() {
    if (!stopped && bench.errorCount() < 1000) {
      CompletableFuture.delayedExecutor(1, java.util.concurrent.TimeUnit.SECONDS).execute(this::watch);
    }
  }

  void stop() {
    stopped = true;
  }

  /**
   * The nanoTime at which a response had arrived whole, taken in the body subscriber: the
   * HttpClient hands each completed response to another executor before {@code whenComplete}
   * runs, and with 2,000 agents in this one JVM that queue (a cost of the simulation, not of the
   * server) would otherwise count as push latency.
   */
  private static final HttpResponse.BodyHandler<Long> ANSWERED_AT =
      info -> HttpResponse.BodySubscribers.mapping(HttpResponse.BodySubscribers.discarding(), ignored -> System.nanoTime());

  /**
   * The snapshot's version (from its first bytes), its size, and when it had arrived whole; the rest
   * of the body is dropped.
   */
  record Head(long version, long bytes, long completedNanos) {}

  static final class VersionSubscriber implements HttpResponse.BodySubscriber<Head> {
    static final HttpResponse.BodyHandler<Head> HANDLER =
        info -> new VersionSubscriber(
            info.headers().firstValue("Content-Encoding").orElse("").equalsIgnoreCase("gzip"));
    private static final Pattern VERSION = Pattern.compile("\"version\"\\s*:\\s*(-?\\d+)");

    private final CompletableFuture<Head> result = new CompletableFuture<>();
    private final byte[] head = new byte[96];
    private int headLength;
    private long total;
    /** A gzip body is kept whole (it is small) and only its first bytes are inflated. */
    private final java.io.ByteArrayOutputStream compressed;

    VersionSubscriber(boolean gzip) {
      this.compressed = gzip ? new java.io.ByteArrayOutputStream() : null;
    }

    @Override
    public CompletionStage<Head> getBody() {
      return result;
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
      subscription.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
      for (ByteBuffer b : items) {
        total += b.remaining();
        if (compressed != null) {
          byte[] bytes = new byte[b.remaining()];
          b.get(bytes);
          compressed.write(bytes, 0, bytes.length);
          continue;
        }
        int n = Math.min(b.remaining(), head.length - headLength);
        b.get(head, headLength, n);
        headLength += n;
      }
    }

    @Override
    public void onError(Throwable throwable) {
      result.completeExceptionally(throwable);
    }

    @Override
    public void onComplete() {
      long completedAt = System.nanoTime();
      if (compressed != null) {
        try (java.util.zip.GZIPInputStream in = new java.util.zip.GZIPInputStream(
            new java.io.ByteArrayInputStream(compressed.toByteArray()))) {
          headLength = in.readNBytes(head, 0, head.length);
        } catch (java.io.IOException e) {
          result.completeExceptionally(e);
          return;
        }
      }
      Matcher m = VERSION.matcher(new String(head, 0, headLength, StandardCharsets.UTF_8));
      result.complete(new Head(m.find() ? Long.parseLong(m.group(1)) : -1, total, completedAt));
    }
  }
}
