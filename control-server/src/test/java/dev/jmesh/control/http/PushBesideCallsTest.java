package dev.jmesh.control.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jmesh.control.ControlServer;
import dev.jmesh.control.ServerSettings;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Waking thousands of watchers queues thousands of snapshot writes; the agents' ACKs (and every
 * other call) must not wait behind them. Watchers are answered on their own threads, so calls are
 * served while every one of those threads is busy.
 */
class PushBesideCallsTest {

  /** More than the server has threads for answering watchers, or for handling calls. */
  private static final int BUSY_WATCHERS = 48;

  @TempDir Path dataDir;
  private ControlServer server;
  private final CountDownLatch releaseWatchers = new CountDownLatch(1);

  @BeforeEach
  void start() throws Exception {
    server = ControlServer.start(ServerSettings.defaults(dataDir).withPort(0));
  }

  @AfterEach
  void stop() {
    releaseWatchers.countDown();
    server.close();
  }

  @Test
  void callsAreAnsweredWhileEveryWatcherAnswerIsStillBeingWritten() throws Exception {
    AtomicInteger answering = new AtomicInteger();
    long known = server.version().current();
    for (int i = 0; i < BUSY_WATCHERS; i++) {
      server
          .watchers()
          .watch(known, Duration.ofSeconds(60), () -> holdLikeASlowWrite(answering), () -> {});
    }
    server.version().bump();
    awaitAtLeastOneAnswerStarted(answering);

    TestHttp anonymous = new TestHttp(server.url(), server.authority().rootCertificate(), null);
    CompletableFuture<HttpResponse<String>> call =
        anonymous.sendAsync("GET", "/v1/trust-bundle", null);
    // Bounded only so that a regression fails instead of hanging; the watchers are still held.
    assertEquals(200, call.get(30, TimeUnit.SECONDS).statusCode());
  }

  private void holdLikeASlowWrite(AtomicInteger answering) {
    answering.incrementAndGet();
    try {
      releaseWatchers.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void awaitAtLeastOneAnswerStarted(AtomicInteger answering) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (answering.get() == 0) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("no watcher was woken by the version change");
      }
      Thread.sleep(10);
    }
  }
}
