package dev.jmesh.control.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SnapshotWatchersTest {

  private final MeshVersion version = new MeshVersion(10);
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
  private final ExecutorService responder = Executors.newFixedThreadPool(2);
  /** Without debounce: watchers are woken on the thread that changes the version. */
  private final SnapshotWatchers watchers =
      new SnapshotWatchers(version, timer, responder, Duration.ZERO, Duration.ZERO);

  private SnapshotWatchers debounced(Duration after, Duration max) {
    return new SnapshotWatchers(version, timer, responder, after, max);
  }

  @AfterEach
  void stop() {
    timer.shutdownNow();
    responder.shutdownNow();
  }

  @Test
  void watcherIsAnsweredWhenTheVersionChanges() throws Exception {
    CompletableFuture<String> answer = new CompletableFuture<>();
    watchers.watch(
        10,
        Duration.ofSeconds(60),
        () -> answer.complete("changed"),
        () -> answer.complete("timeout"));
    assertEquals(1, watchers.waiting());

    version.bump();

    assertEquals("changed", answer.get(5, TimeUnit.SECONDS));
    assertEquals(0, watchers.waiting());
  }

  @Test
  void watcherIsAnsweredWithTimeoutWhenNothingChanges() throws Exception {
    CompletableFuture<String> answer = new CompletableFuture<>();
    watchers.watch(
        10,
        Duration.ofMillis(50),
        () -> answer.complete("changed"),
        () -> answer.complete("timeout"));

    assertEquals("timeout", answer.get(5, TimeUnit.SECONDS));
    assertEquals(0, watchers.waiting());
  }

  @Test
  void watcherOfAnOutdatedVersionIsAnsweredAtOnce() throws Exception {
    CompletableFuture<String> answer = new CompletableFuture<>();
    watchers.watch(
        9,
        Duration.ofSeconds(60),
        () -> answer.complete("changed"),
        () -> answer.complete("timeout"));

    assertEquals("changed", answer.get(5, TimeUnit.SECONDS));
  }

  @Test
  void eachWatcherIsAnsweredExactlyOnce() throws Exception {
    AtomicInteger answers = new AtomicInteger();
    for (int i = 0; i < 500; i++) {
      watchers.watch(10, Duration.ofMillis(20), answers::incrementAndGet, answers::incrementAndGet);
    }
    version.bump();
    version.bump();

    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (watchers.waiting() > 0 && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    responder.shutdown();
    assertTrue(responder.awaitTermination(5, TimeUnit.SECONDS));
    assertEquals(500, answers.get());
  }

  @Test
  void aBurstOfChangesWithinTheDebounceWindowAnswersEachWatcherOnceWithTheLatestVersion()
      throws Exception {
    SnapshotWatchers debounced = debounced(Duration.ofMillis(300), Duration.ofSeconds(5));
    int watcherCount = 50;
    ConcurrentLinkedQueue<Long> answeredVersions = new ConcurrentLinkedQueue<>();
    AtomicInteger timeouts = new AtomicInteger();
    CountDownLatch answered = new CountDownLatch(watcherCount);
    for (int i = 0; i < watcherCount; i++) {
      debounced.watch(
          10,
          Duration.ofSeconds(60),
          () -> {
            answeredVersions.add(version.current());
            answered.countDown();
          },
          timeouts::incrementAndGet);
    }

    for (int i = 0; i < 20; i++) {
      version.bump();
    }
    // Still inside the quiet window: nobody has been woken.
    assertEquals(watcherCount, debounced.waiting());
    assertEquals(10, debounced.publishedVersion());

    assertTrue(answered.await(5, TimeUnit.SECONDS));
    Thread.sleep(400); // room for any (wrong) second answer
    assertEquals(watcherCount, answeredVersions.size());
    assertTrue(answeredVersions.stream().allMatch(v -> v == 30), answeredVersions.toString());
    assertEquals(0, timeouts.get());
    assertEquals(30, debounced.publishedVersion());
    assertEquals(0, debounced.waiting());
  }

  @Test
  void changesThatKeepComingStillWakeWatchersAfterTheMaximumDelay() throws Exception {
    SnapshotWatchers debounced = debounced(Duration.ofMillis(200), Duration.ofMillis(400));
    CompletableFuture<Long> answer = new CompletableFuture<>();
    debounced.watch(
        10,
        Duration.ofSeconds(60),
        () -> answer.complete(version.current()),
        () -> answer.completeExceptionally(new AssertionError("timed out")));
    long start = System.nanoTime();
    // A change every 50 ms for 3 s: never quiet for 200 ms.
    while (!answer.isDone() && System.nanoTime() - start < TimeUnit.SECONDS.toNanos(3)) {
      version.bump();
      Thread.sleep(50);
    }
    long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertTrue(answer.isDone(), "not woken within 3 s of continuous changes");
    assertTrue(answer.get() > 10);
    assertTrue(elapsedMillis < 2_000, "woken only after " + elapsedMillis + " ms");
  }

  @Test
  void aWatcherBehindThePublishedVersionIsAnsweredAtOnceDuringABurst() throws Exception {
    SnapshotWatchers debounced = debounced(Duration.ofSeconds(30), Duration.ofSeconds(30));
    version.bump(); // 11, not published for 30 s

    CompletableFuture<String> behind = new CompletableFuture<>();
    debounced.watch(
        9, Duration.ofSeconds(60), () -> behind.complete("changed"), () -> behind.complete("t"));
    assertEquals("changed", behind.get(5, TimeUnit.SECONDS));
    assertTrue(debounced.isBehind(9));

    // An agent that knows the published version (or the newer, not yet published one) waits for
    // the next publication instead of being answered at once.
    assertFalse(debounced.isBehind(10));
    assertFalse(debounced.isBehind(11));
    // One that knows a version this server never had (another server's) is answered at once.
    assertTrue(debounced.isBehind(12));
  }

  @Test
  void aWatcherThatKnowsTheLatestVersionIsNotWokenByThePublicationOfThatVersion()
      throws Exception {
    SnapshotWatchers debounced = debounced(Duration.ofMillis(100), Duration.ofSeconds(1));
    version.bump(); // 11, published in 100 ms
    CompletableFuture<String> answer = new CompletableFuture<>();
    debounced.watch(
        11,
        Duration.ofMillis(600),
        () -> answer.complete("changed"),
        () -> answer.complete("timeout"));

    assertEquals("timeout", answer.get(5, TimeUnit.SECONDS));
    assertEquals(11, debounced.publishedVersion());
  }
}
